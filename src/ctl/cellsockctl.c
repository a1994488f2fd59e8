/* cellsockctl: the operator's CLI. It shares the protocol header and the
 * command table (common/cmdtab.h) with the daemon: the table checks usage,
 * says how to render each reply and generates --help. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdtab.h"
#include "log.h"
#include "output.h"
#include "proto.h"
#include "xmalloc.h"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

struct ctl {
	const char *socket;
	const struct output *out;
	const char *name;	/* links NAME in text: the one link to show */
	int timeout_ms;
	int fd;
	char buf[PROTO_LINE_MAX * 4];
	size_t len;
};

/* "NAME ARGS" as cellsockctl takes them: DATA may also be - (stdin). */
static void
ctl_synopsis(const struct cmdtab_entry *e, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s%s", e->name, e->args, (e->flags & CMDTAB_DATA) ? "|-" : "");
}

/* One command's line of --help, from the shared table: its synopsis, its
 * summary, who may run it, and how cellsockctl reads DATA. */
static void
ctl_usage_command(FILE *f, const struct cmdtab_entry *e)
{
	int data = (e->flags & CMDTAB_DATA) != 0;
	const char *who = (e->flags & CMDTAB_ROOT) ? "root" :
	    (e->flags & CMDTAB_PRIV) ? "group" :
	    (e->flags & CMDTAB_PRIV_ARGS) ? "group to change" : NULL;
	char left[64];

	ctl_synopsis(e, left, sizeof(left));
	fprintf(f, "  %-28s %s", left, e->help);
	if (who != NULL || data)
		fprintf(f, " (%s%s%s)", who ? who : "", who && data ? "; " : "",
		    data ? "- reads standard input" : "");
	fputc('\n', f);
}

static void __attribute__((noreturn))
ctl_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: cellsockctl [-s SOCKET | -m INSTANCE] [-j] [-t SECONDS] COMMAND [ARGS...]\n\n"
	    "  -s SOCKET   control socket (default %s)\n"
	    "  -m INSTANCE control socket of cellsockd@INSTANCE (" RUNSTATEDIR "/cellsock/INSTANCE.sock)\n"
	    "  -j          JSON output\n"
	    "  -t SECONDS  how long to wait for the answer (default 30)\n\n"
	    "commands:\n", PROTO_DEFAULT_SOCKET);
	for (int i = 0; i < CMDTAB_COUNT; i++)
		ctl_usage_command(f, &cmdtab[i]);
	fprintf(f, "\nexit status: 0 success, 1 refused or failed, 2 usage, 3 daemon unreachable\n");
	exit(status);
}

/* A failure to talk to the daemon: on stderr, and with -j also as a JSON
 * error object on stdout, so a script always gets a document. */
static void __attribute__((format(printf, 3, 4)))
ctl_fail(const struct ctl *c, const char *code, const char *fmt, ...)
{
	char msg[PROTO_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "cellsockctl: %s\n", msg);
	if (c->out == &output_json)
		c->out->error(stdout, code, msg, NULL, 0);
}

static int
ctl_connect(struct ctl *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (strlen(c->socket) >= sizeof(sun.sun_path)) {
		ctl_fail(c, "unreachable", "socket path too long: %s", c->socket);
		return -1;
	}
	strcpy(sun.sun_path, c->socket);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd == -1 || connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		ctl_fail(c, "unreachable", "cannot reach cellsockd at %s: %s", c->socket,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
ctl_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Next line from the daemon (without newline) into line. 0 ok, -1 closed,
 * -2 timed out. timeout_ms < 0 waits forever. */
static int
ctl_read_line(struct ctl *c, char *line, size_t size, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		if (nl != NULL) {
			size_t n = (size_t)(nl - c->buf);
			snprintf(line, size, "%.*s", (int)n, c->buf);
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return 0;
		}
		if (c->len == sizeof(c->buf))
			c->len = 0;	/* an absurd line: drop it */
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			return -1;
		if (r == 0)
			return -2;
		ssize_t got = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (got <= 0)
			return -1;
		c->len += (size_t)got;
	}
}

/* Percent-encode raw bytes so the request stays one line of text; the daemon
 * decodes %XX in DATA. */
static void
ctl_encode_bytes(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 4 < outsz; i++) {
		if (in[i] > 0x20 && in[i] < 0x7f && in[i] != '%')
			out[o++] = (char)in[i];
		else
			o += (size_t)snprintf(out + o, outsz - o, "%%%02X", in[i]);
	}
	out[o] = '\0';
}

/* Join argv words into one request line. DATA words may hold %XX escapes
 * (checked by ctl_data_ok): they are decoded, then every byte that would
 * not survive the line is encoded again. */
static void
ctl_build_request(const struct cmdtab_entry *cmd, int json, int argc, char **argv, char *req,
    size_t size)
{
	size_t o = (size_t)snprintf(req, size, "%s", cmd->name);

	if (json)
		o = (size_t)snprintf(req, size, "json %s", cmd->name);
	char enc[PROTO_LINE_MAX];
	unsigned char *raw;
	long n;

	for (int i = 1; i < argc && o < size; i++) {
		if ((cmd->flags & CMDTAB_DATA) && i >= 2) {
			raw = xmalloc(strlen(argv[i]) + 1);
			n = proto_bytes_decode(argv[i], raw, strlen(argv[i]) + 1);
			ctl_encode_bytes(raw, n > 0 ? (size_t)n : 0, enc, sizeof(enc));
			free(raw);
			o += (size_t)snprintf(req + o, size - o, "%s%s", i == 2 ? " " : "%20", enc);
		} else
			o += (size_t)snprintf(req + o, size - o, " %s", argv[i]);
	}
}

/* A usage error: on stderr, or as a JSON error object on stdout with -j.
 * Returns EXIT_USAGE. */
static int __attribute__((format(printf, 3, 4)))
ctl_usage_error(const struct ctl *c, const char *code, const char *fmt, ...)
{
	char msg[PROTO_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->out == &output_json)
		c->out->error(stdout, code, msg, NULL, 0);
	else
		fprintf(stderr, "cellsockctl: %s\n", msg);
	return EXIT_USAGE;
}

/* -m INSTANCE: the control socket of cellsockd@INSTANCE.service,
 * RUNSTATEDIR/cellsock/INSTANCE.sock, into buf. EXIT_USAGE (reported) when
 * the name is empty, has a '/', or the path does not fit. */
static int
ctl_instance_socket(const struct ctl *c, const char *instance, char *buf, size_t size)
{
	if (instance[0] == '\0' || strchr(instance, '/') != NULL)
		return ctl_usage_error(c, proto_err_names[ERR_USAGE],
		    "-m: '%s' is not an instance name", instance);
	if ((size_t)snprintf(buf, size, "%s/cellsock/%s.sock", RUNSTATEDIR, instance) >= size)
		return ctl_usage_error(c, proto_err_names[ERR_USAGE], "-m: instance name too long");
	return EXIT_OK;
}

/* Whether the DATA words of a send are well-formed: each '%' starts a %XX
 * escape (a literal '%' is %25), as the daemon requires. */
static int
ctl_data_ok(const struct ctl *c, const struct cmdtab_entry *cmd, int argc, char **argv)
{
	unsigned char *raw;
	long n;

	if (!(cmd->flags & CMDTAB_DATA) || (argc == 3 && strcmp(argv[2], "-") == 0))
		return 1;
	for (int i = 2; i < argc; i++) {
		raw = xmalloc(strlen(argv[i]) + 1);
		n = proto_bytes_decode(argv[i], raw, strlen(argv[i]) + 1);
		free(raw);
		if (n == PROTO_BYTES_MALFORMED) {
			ctl_usage_error(c, proto_err_names[ERR_USAGE], "malformed %%-escape in '%s': "
			    "'%%' needs two hex digits (a literal '%%' is %%25)", argv[i]);
			return 0;
		}
	}
	return 1;
}

/* Print raw reply lines (metrics, at). */
static void
ctl_print_raw(const struct ctl *c, char **lines, int n)
{
	if (c->out == &output_text) {
		for (int i = 0; i < n; i++)
			printf("%s\n", lines[i]);
		return;
	}
	fputs("{\"ok\":true,\"lines\":[", stdout);
	for (int i = 0; i < n; i++) {
		if (i)
			fputc(',', stdout);
		output_json_string(stdout, lines[i]);
	}
	fputs("]}\n", stdout);
}

/* A problem record as a JSON object: as the daemon typed it (json
 * requests), or {"message":...}. */
static char *
ctl_problem_json(const struct record *rec, const char *message)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	if (rec->json != NULL)
		return xstrdup(rec->json);
	if ((f = open_memstream(&buf, &size)) == NULL)
		fatal("open_memstream");
	fputs("{\"message\":", f);
	output_json_string(f, message);
	fputc('}', f);
	if (fclose(f) != 0)
		fatal("open_memstream");
	return buf;
}

/* Report the daemon's "ERR CODE MESSAGE" line (modified in place) with the
 * problems it listed before it (the message of each record line; the lines
 * are modified too); a usage error is one whoever finds it. Returns the
 * exit status. */
static int
ctl_err_line(const struct ctl *c, char *line, char **lines, int n)
{
	char *code = line + 4, *msg = strchr(code, ' ');
	char **problems = n > 0 ? xcalloc((size_t)n, sizeof(*problems)) : NULL;

	if (msg != NULL)
		*msg++ = '\0';
	for (int i = 0; i < n; i++) {
		struct record rec;
		const char *m;

		record_parse(lines[i], &rec);
		m = record_get(&rec, "message");
		problems[i] = c->out == &output_json ? ctl_problem_json(&rec, m ? m : lines[i]) :
		    xstrdup(m ? m : lines[i]);
	}
	c->out->error(c->out == &output_text ? stderr : stdout, code, msg ? msg : "",
	    problems, n);
	for (int i = 0; i < n; i++)
		free(problems[i]);
	free(problems);
	return strcmp(code, proto_err_names[ERR_USAGE]) == 0 ||
	    strcmp(code, proto_err_names[ERR_UNKNOWN_COMMAND]) == 0 ? EXIT_USAGE : EXIT_REFUSED;
}

/* Render a successful reply's lines. Returns the exit status. */
static int
ctl_render(const struct ctl *c, const struct cmdtab_entry *cmd, char **lines, int n)
{
	struct reply_info info = { cmd->name, cmd->lists, c->name };
	struct record *recs;
	int status;

	if (cmd->flags & CMDTAB_RAW) {
		ctl_print_raw(c, lines, n);
		return EXIT_OK;
	}
	recs = xcalloc((size_t)n + 1, sizeof(*recs));
	for (int i = 0; i < n; i++)
		record_parse(lines[i], &recs[i]);
	status = c->out->reply(stdout, recs, n, &info);
	free(recs);
	return status;
}

/* Send one request and render its reply. Returns the exit status. */
static int
ctl_transact(struct ctl *c, const struct cmdtab_entry *cmd, const char *req, int quiet)
{
	char line[PROTO_LINE_MAX * 2];
	char **lines = NULL;
	int n = 0, r, status = EXIT_OK;

	if (ctl_write_all(c->fd, req, strlen(req)) == -1 || ctl_write_all(c->fd, "\n", 1) == -1) {
		/* The daemon may have answered and closed first (ERR busy): read
		 * what it said before giving up. */
		if (ctl_read_line(c, line, sizeof(line), 1000) == 0 && strncmp(line, "ERR ", 4) == 0)
			return ctl_err_line(c, line, NULL, 0);
		ctl_fail(c, "unreachable", "cannot send to cellsockd: %s", strerror(errno));
		return EXIT_UNREACHABLE;
	}
	while ((r = ctl_read_line(c, line, sizeof(line), c->timeout_ms)) == 0) {
		if (strcmp(line, "OK") == 0)
			break;
		if (strncmp(line, "ERR ", 4) == 0) {
			status = ctl_err_line(c, line, lines, n);
			break;
		}
		lines = xrealloc(lines, sizeof(*lines) * (size_t)(n + 1));
		lines[n++] = xstrdup(line);
	}
	if (r == -2)
		ctl_fail(c, "timeout", "no answer from cellsockd within %d s", c->timeout_ms / 1000);
	if (r != 0)
		status = r == -2 ? EXIT_REFUSED : EXIT_UNREACHABLE;
	if (r == -1)
		ctl_fail(c, "unreachable", "cellsockd closed the connection");
	if (status == EXIT_OK && !quiet)
		status = ctl_render(c, cmd, lines, n);
	for (int i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return status;
}

/* send NAME -: standard input in chunks, one request each. */
static int
ctl_send_stdin(struct ctl *c, const struct cmdtab_entry *cmd, const char *name)
{
	unsigned char chunk[1024];
	char enc[sizeof(chunk) * 3 + 1], req[PROTO_LINE_MAX];
	size_t got;
	int status = EXIT_OK;

	while (status == EXIT_OK && (got = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		ctl_encode_bytes(chunk, got, enc, sizeof(enc));
		snprintf(req, sizeof(req), "%s %s %s", cmd->name, name, enc);
		status = ctl_transact(c, cmd, req, 1);
	}
	if (status == EXIT_OK && c->out == &output_json)
		puts("{\"ok\":true}");
	return status;
}

static volatile sig_atomic_t ctl_interrupted;

static void
ctl_on_signal(int sig)
{
	ctl_interrupted = 1;
}

/* monitor: print events until interrupted or the daemon goes away. */
static int
ctl_monitor(struct ctl *c, const struct cmdtab_entry *cmd)
{
	struct sigaction sa = { .sa_handler = ctl_on_signal };
	char line[PROTO_LINE_MAX * 2];
	int r;

	if ((r = ctl_transact(c, cmd, c->out == &output_json ? "json monitor" : cmd->name, 1)) != EXIT_OK)
		return r;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!ctl_interrupted && ctl_read_line(c, line, sizeof(line), -1) == 0) {
		if (strncmp(line, "EVENT ", 6) == 0)
			c->out->event(stdout, line + 6);
	}
	return EXIT_OK;
}

/* The command named by argv[0] with a fitting number of words, or NULL
 * after reporting the usage error. */
static const struct cmdtab_entry *
ctl_command(const struct ctl *c, int argc, char **argv)
{
	const struct cmdtab_entry *cmd;
	char syn[128];

	if (argc < 1) {
		if (c->out == &output_json)
			ctl_usage_error(c, proto_err_names[ERR_USAGE], "no command (try --help)");
		else
			ctl_usage(EXIT_USAGE);
		return NULL;
	}
	if ((cmd = cmdtab_find(argv[0])) == NULL) {
		ctl_usage_error(c, proto_err_names[ERR_UNKNOWN_COMMAND], "unknown command '%s'",
		    argv[0]);
		if (c->out != &output_json)
			ctl_usage(EXIT_USAGE);
		return NULL;
	}
	if (!cmdtab_args_ok(cmd, argc - 1)) {
		ctl_synopsis(cmd, syn, sizeof(syn));
		if (c->out == &output_json)
			ctl_usage_error(c, proto_err_names[ERR_USAGE], "usage: cellsockctl %s", syn);
		else
			fprintf(stderr, "usage: cellsockctl %s\n", syn);
		return NULL;
	}
	return ctl_data_ok(c, cmd, argc, argv) ? cmd : NULL;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' }, { "version", no_argument, NULL, 'V' },
		{ "timeout", required_argument, NULL, 't' },
		{ "instance", required_argument, NULL, 'm' }, { NULL, 0, NULL, 0 } };
	struct ctl c = { .socket = PROTO_DEFAULT_SOCKET, .out = &output_text, .timeout_ms = 30000 };
	const struct cmdtab_entry *cmd;
	char req[PROTO_LINE_MAX], inst[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	const char *instance = NULL;
	int ch, status;

	while ((ch = getopt_long(argc, argv, "+s:m:jt:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': c.socket = optarg; instance = NULL; break;
		case 'm': instance = optarg; break;
		case 'j': c.out = &output_json; break;
		case 't': c.timeout_ms = (int)(atof(optarg) * 1000); break;
		case 'V': printf("cellsockctl %s\n", PACKAGE_VERSION); return EXIT_OK;
		case 'h': ctl_usage(EXIT_OK);
		default:
			if (c.out == &output_json)
				return ctl_usage_error(&c, proto_err_names[ERR_USAGE],
				    "unknown option (try --help)");
			ctl_usage(EXIT_USAGE);
		}
	}
	if (instance != NULL && ctl_instance_socket(&c, instance, inst, sizeof(inst)) != EXIT_OK)
		return EXIT_USAGE;
	if (instance != NULL)
		c.socket = inst;
	argc -= optind;
	argv += optind;
	if ((cmd = ctl_command(&c, argc, argv)) == NULL)
		return EXIT_USAGE;
	if (c.timeout_ms <= 0)
		c.timeout_ms = 30000;
	signal(SIGPIPE, SIG_IGN);	/* a closed socket is an error to report */
	if (ctl_connect(&c) == -1)
		return EXIT_UNREACHABLE;
	if (cmd->flags & CMDTAB_STREAM)
		status = ctl_monitor(&c, cmd);
	else if ((cmd->flags & CMDTAB_DATA) && argc == 3 && strcmp(argv[2], "-") == 0)
		status = ctl_send_stdin(&c, cmd, argv[1]);
	else {
		ctl_build_request(cmd, c.out == &output_json, argc, argv, req, sizeof(req));
		if (cmd->id == CMDTAB_LINKS && c.out == &output_text) {
			/* The table shows each link's bytes from its relay record. */
			c.name = argc > 1 ? argv[1] : NULL;
			snprintf(req, sizeof(req), "status");
		}
		status = ctl_transact(&c, cmd, req, 0);
	}
	close(c.fd);
	return status;
}
