/* The Telit commands carrying configured values, and their length check:
 * see telit_lines.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "dialect/telit/telit_lines.h"

#define TELIT_LINE_SCRATCH 512	/* longer than any command we format */

/* Models by +CGMM prefix, with the command line their manual gives. */
static const struct { const char *prefix; size_t max; } telit_line_models[] = {
	{ "GM862", TELIT_LINE_OLD }, { "UC864", TELIT_LINE_OLD },
	{ "HE863", TELIT_LINE_OLD },
	{ "HE910", TELIT_LINE_OLD },	/* not stated; the same generation */
	{ "LE910", TELIT_LINE_NEW }, { "ME310", TELIT_LINE_NEW },
	{ "ME910", TELIT_LINE_NEW },	/* not stated; the same generation */
};

size_t
telit_line_max(const char *model)
{
	for (size_t i = 0; i < sizeof(telit_line_models) / sizeof(telit_line_models[0]); i++)
		if (strncmp(model, telit_line_models[i].prefix,
		    strlen(telit_line_models[i].prefix)) == 0)
			return telit_line_models[i].max;
	return TELIT_LINE_OLD;
}

int
telit_cmd_cgdcont(char *buf, size_t sz, int cid, const char *type, const char *apn)
{
	return snprintf(buf, sz, "AT+CGDCONT=%d,\"%s\",\"%s\"", cid, type, apn);
}

int
telit_cmd_sgact_on(char *buf, size_t sz, int cid, const char *user, const char *password)
{
	if (user[0] || password[0])
		return snprintf(buf, sz, "AT#SGACT=%d,1,\"%s\",\"%s\"", cid, user, password);
	return snprintf(buf, sz, "AT#SGACT=%d,1", cid);
}

int
telit_cmd_sd(char *buf, size_t sz, int connid, int port, const char *host)
{
	return snprintf(buf, sz, "AT#SD=%d,0,%d,\"%s\",0,0,1", connid, port, host);
}

/* Context, no inactivity timeout (maxTo 0: the module must never close our
 * socket behind our back), connect timeout 60 s, txTo 5 s. */
int
telit_cmd_scfg(char *buf, size_t sz, int connid, int cid)
{
	return snprintf(buf, sz, "AT#SCFG=%d,%d,300,0,600,50", connid, cid);
}

/* One command too long: say which setting makes it so. */
static int
telit_line_long(char *why, size_t len, const char *model, size_t max, int n, const char *cmd,
    const char *what)
{
	snprintf(why, len, "%s would be %d characters, longer than the %zu the %s command "
	    "line takes: shorten %s", cmd, n, max, model[0] ? model : "Telit", what);
	return -1;
}

int
telit_line_check(const struct conf *conf, const char *model, char *why, size_t len)
{
	const struct conf_network *net = &conf->network;
	char scratch[TELIT_LINE_SCRATCH], what[160];
	size_t max = telit_line_max(model);
	int n;

	if ((size_t)(n = telit_cmd_cgdcont(scratch, sizeof(scratch), net->cid, net->pdp_type,
	    net->apn)) > max)
		return telit_line_long(why, len, model, max, n, "AT+CGDCONT", "network.apn");
	n = telit_cmd_sgact_on(scratch, sizeof(scratch), net->cid, net->user, net->password);
	memset(scratch, 0, sizeof(scratch));	/* it held the password */
	if ((size_t)n > max)
		return telit_line_long(why, len, model, max, n, "AT#SGACT",
		    "network.user or network.password");
	for (int i = 0; i < conf->n_links; i++) {
		const struct conf_link *l = &conf->links[i];

		if ((size_t)(n = telit_cmd_sd(scratch, sizeof(scratch), l->socket, l->port,
		    l->host)) <= max)
			continue;
		snprintf(what, sizeof(what), "links[%d].host (link \"%s\"; or use its address)",
		    i, l->name);
		return telit_line_long(why, len, model, max, n, "AT#SD", what);
	}
	for (int i = 0; i < conf->modem.n_init; i++)
		if (strlen(conf->modem.init[i]) > max) {
			snprintf(what, sizeof(what), "modem.init[%d]", i);
			return telit_line_long(why, len, model, max,
			    (int)strlen(conf->modem.init[i]), "an init command", what);
		}
	return 0;
}
