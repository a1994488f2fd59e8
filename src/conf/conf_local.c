/*
 * A link's local endpoint, links[].local: "unix:/ABSOLUTE/PATH",
 * "tcp:127.0.0.1:PORT", "tcp:[::1]:PORT" (loopback only) or "" for none;
 * links[].local_users: the users whose clients it accepts (user names or
 * numeric uids, resolved when the file is loaded). A tcp: endpoint without
 * local_users is open to every local user: conf_warnings() says so.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <libconfig.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_local.h"
#include "conf/conf_report.h"
#include "conf/conf_walk.h"
#include "xmalloc.h"

/* "PORT" as a decimal 1..65535 with nothing else around it; -1 if not. */
static int
conf_port(const char *p)
{
	size_t n = strlen(p);
	long v;

	if (n == 0 || n > 5 || strspn(p, "0123456789") != n)
		return -1;
	v = strtol(p, NULL, 10);
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

/* Split "ADDR:PORT" or "[ADDR]:PORT" of a tcp: endpoint; NULL when the
 * syntax is wrong, else the address (caller frees) and *port. */
static char *
conf_tcp_split(const char *v, int *port)
{
	const char *colon, *end;

	if (*v == '[') {
		if ((end = strchr(v, ']')) == NULL || end[1] != ':')
			return NULL;
		if ((*port = conf_port(end + 2)) == -1)
			return NULL;
		return xstrndup(v + 1, (size_t)(end - v - 1));
	}
	/* unbracketed: IPv4, so exactly one colon */
	if ((colon = strchr(v, ':')) == NULL ||
	    (*port = conf_port(colon + 1)) == -1)
		return NULL;
	return xstrndup(v, (size_t)(colon - v));
}

/* Whether addr is a numeric loopback address; writes its canonical form. */
static int
conf_loopback(const char *addr, char *canon, size_t sz)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, addr, &a4) == 1) {
		inet_ntop(AF_INET, &a4, canon, (socklen_t)sz);
		return (ntohl(a4.s_addr) >> 24) == 127;
	}
	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		inet_ntop(AF_INET6, &a6, canon, (socklen_t)sz);
		return IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return -1;
}

/* The tcp: part of a link's local endpoint; loopback addresses only. */
static void
conf_local_tcp(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, struct conf_link *l)
{
	char canon[INET6_ADDRSTRLEN], *addr, why[192];
	int port, r;

	addr = conf_tcp_split(config_setting_get_string(s) + 4, &port);
	if (addr == NULL) {
		conf_bad(ctx, key, s, path, "must be \"tcp:127.0.0.1:PORT\" or "
		    "\"tcp:[::1]:PORT\" with PORT from 1 to 65535");
		return;
	}
	if ((r = conf_loopback(addr, canon, sizeof(canon))) != 1) {
		snprintf(why, sizeof(why), r == -1 ?
		    "the tcp: address must be a numeric loopback address, "
		    "127.0.0.1 or [::1]" :
		    "%s is not a loopback address: local endpoints accept only "
		    "applications on this machine (use 127.0.0.1 or [::1])",
		    canon);
		conf_bad(ctx, key, s, path, why);
		free(addr);
		return;
	}
	free(addr);
	l->local_kind = CONF_LOCAL_TCP;
	l->local_addr = xstrdup(canon);
	l->local_port = port;
	l->local = xstrdup(config_setting_get_string(s));
}

/* The unix: part of a link's local endpoint: an absolute socket path. */
static void
conf_local_unix(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, struct conf_link *l)
{
	struct sockaddr_un sun;
	const char *p = config_setting_get_string(s) + 5;
	size_t i, len = strlen(p);

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			break;
	if (p[0] != '/' || len >= sizeof(sun.sun_path) || i != len) {
		conf_bad(ctx, key, s, path, "the unix: path must be absolute, "
		    "without control characters and shorter than 108 bytes");
		return;
	}
	l->local_kind = CONF_LOCAL_UNIX;
	l->local_path = xstrdup(p);
	l->local = xstrdup(config_setting_get_string(s));
}

void
conf_local_clear(struct conf_link *l)
{
	free(l->local);
	free(l->local_path);
	free(l->local_addr);
	l->local = l->local_path = l->local_addr = NULL;
	l->local_port = 0;
	l->local_kind = CONF_LOCAL_NONE;
}

/* links[].local: "unix:/abs/path", "tcp:127.0.0.1:PORT" or "" for none. */
void
conf_parse_local(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	struct conf_link *l = base;
	const char *v;

	conf_local_clear(l);
	l->local_line = conf_line(s);
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = config_setting_get_string(s);
		if (*v == '\0')
			return;
		if (strncmp(v, "unix:", 5) == 0) {
			conf_local_unix(ctx, key, s, path, l);
			return;
		}
		if (strncmp(v, "tcp:", 4) == 0) {
			conf_local_tcp(ctx, key, s, path, l);
			return;
		}
	}
	conf_bad(ctx, key, s, path, "must be \"unix:/ABSOLUTE/PATH\", "
	    "\"tcp:127.0.0.1:PORT\", \"tcp:[::1]:PORT\" or \"\"");
}

/* Whether two links would listen on the same local endpoint. */
int
conf_local_same(const struct conf_link *a, const struct conf_link *b)
{
	if (a->local_kind != b->local_kind)
		return 0;
	switch (a->local_kind) {
	case CONF_LOCAL_NONE:
		return 0;
	case CONF_LOCAL_UNIX:
		return strcmp(a->local_path, b->local_path) == 0;
	case CONF_LOCAL_TCP:
		return a->local_port == b->local_port &&
		    strcmp(a->local_addr, b->local_addr) == 0;
	}
	return 0;
}

/* One entry of local_users: a user name, or a uid in decimal; -1 if it
 * names nobody on this system. */
static int
conf_local_uid(const char *v, uid_t *uid)
{
	struct passwd *pw;
	size_t n = strlen(v);

	if (n > 0 && n <= 10 && strspn(v, "0123456789") == n) {
		unsigned long u = strtoul(v, NULL, 10);

		if (u >= (uid_t)-1)
			return -1;
		*uid = (uid_t)u;
		return 0;
	}
	if (n == 0 || (pw = getpwnam(v)) == NULL)
		return -1;
	*uid = pw->pw_uid;
	return 0;
}

/* links[].local_users = [ "root", "app", "1000" ]: who may connect. */
void
conf_parse_local_users(struct conf_ctx *ctx, const struct conf_key *key,
    const config_setting_t *s, const char *path, void *base)
{
	struct conf_link *l = base;
	const config_setting_t *e;
	char *epath;
	int i, n;

	l->n_local_uids = 0;
	n = config_setting_is_array(s) || config_setting_is_list(s) ?
	    config_setting_length(s) : 0;
	if (n < 1 || n > CONF_MAX_LOCAL_USERS) {
		conf_bad(ctx, key, s, path, "must be a list of 1 to 16 user "
		    "names or uids such as [ \"root\", \"app\" ]");
		return;
	}
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		xasprintf(&epath, "%s[%d]", path, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			conf_bad(ctx, key, e, epath, "must be a string");
		else if (conf_local_uid(config_setting_get_string(e),
		    &l->local_uids[l->n_local_uids]) == -1)
			conf_bad(ctx, key, e, epath, "no such user on this "
			    "system");
		else
			l->n_local_uids++;
		free(epath);
	}
}

/* Append "FILE:LINE: warning: text" to warns. */
static void
conf_warn(struct conf_errors *warns, const char *file, int line,
    const char *text)
{
	warns->msgs = xrealloc(warns->msgs,
	    (size_t)(warns->n + 1) * sizeof(char *));
	xasprintf(&warns->msgs[warns->n++], "%s:%d: warning: %s", file, line,
	    text);
}

/* A tcp: endpoint without local_users is open to every local user; then
 * the advice conf_check() found. */
void
conf_warnings(const struct conf *conf, struct conf_errors *warns)
{
	const struct conf_link *l;
	char text[256];
	int i;

	for (i = 0; i < conf->n_links; i++) {
		l = &conf->links[i];
		if (l->local_kind != CONF_LOCAL_TCP || l->n_local_uids > 0)
			continue;
		snprintf(text, sizeof(text), "links[%d].local: \"%s\" is open "
		    "to every user of this machine; set links[%d].local_users "
		    "to restrict it", i, l->local, i);
		conf_warn(warns, conf->path, l->local_line, text);
	}
	for (i = 0; i < conf->n_advice; i++) {
		warns->msgs = xrealloc(warns->msgs, (size_t)(warns->n + 1) * sizeof(char *));
		warns->msgs[warns->n++] = xstrdup(conf->advice[i]);
	}
}
