/* AT engine: command objects (see atq_int.h): their copy of what was
 * submitted, which answer lines they own, and their delivery. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "xmalloc.h"
#include "at/atq_int.h"
#include "at/result.h"
#include "at/urc.h"

/* "AT+CSQ" -> "+CSQ:", "AT$X=1" -> "$X:"; NULL for basic commands. */
static char *
at_derive_prefix(const char *cmd)
{
	size_t n;
	char *p;

	if (strncasecmp(cmd, "AT", 2) != 0 || cmd[2] == '\0' ||
	    strchr("+#$%^*", cmd[2]) == NULL)
		return NULL;
	n = strcspn(cmd + 2, "=?;");
	p = xmalloc(n + 2);
	for (size_t i = 0; i < n; i++)
		p[i] = (char)toupper((unsigned char)cmd[2 + i]);
	p[n] = ':';
	p[n + 1] = '\0';
	return p;
}

static char **
at_copy_prefixes(const char *const *src)
{
	char **dst;
	size_t n = 0;

	if (src == NULL)
		return NULL;
	while (src[n] != NULL)
		n++;
	dst = xcalloc(n + 1, sizeof(*dst));
	for (size_t i = 0; i < n; i++)
		dst[i] = xstrdup(src[i]);
	return dst;
}

void
at_cmd_free(struct at_cmd *c)
{
	for (size_t i = 0; c->prefixes != NULL && c->prefixes[i] != NULL; i++)
		free(c->prefixes[i]);
	free(c->prefixes);
	for (size_t i = 0; i < c->n_lines; i++)
		free(c->lines[i]);
	free(c->lines);
	free(c->auto_prefix);
	free(c->raw_prefix);
	free(c->payload);
	free(c->rx);
	free(c->cmd);
	free(c);
}

/* Is this a command line we are willing to send? */
int
at_cmd_valid(const char *cmd)
{
	size_t n;

	if (cmd == NULL || (n = strlen(cmd)) == 0 || n > AT_CMD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)cmd[i] < 0x20 || cmd[i] == 0x7f)
			return 0;
	return 1;
}

struct at_cmd *
at_cmd_new(struct at *at, const struct at_command *ac)
{
	struct at_cmd *c = xcalloc(1, sizeof(*c));
	struct at *g = at->group;	/* ids are unique over the channels */

	c->id = g->next_id++;
	if (g->next_id == 0)
		g->next_id = 1;
	c->queued_ms = util_now_ms();
	c->urgency = ac->urgency;
	c->cmd = xstrdup(ac->cmd);
	c->prefixes = at_copy_prefixes(ac->prefixes);
	if (c->prefixes == NULL)
		c->auto_prefix = at_derive_prefix(ac->cmd);
	c->timeout_ms = ac->timeout_ms > 0 ? ac->timeout_ms : at->p.timeout_ms;
	c->flags = ac->flags;
	if (ac->payload != NULL) {
		c->payload = xmalloc(ac->payload_len);
		memcpy(c->payload, ac->payload, ac->payload_len);
		c->payload_len = ac->payload_len;
	}
	if (ac->raw_prefix != NULL && ac->raw_len != NULL) {
		c->raw_prefix = xstrdup(ac->raw_prefix);
		c->raw_len = ac->raw_len;
	}
	return c;
}

/* Run destroy once for a command that will not get its callback. */
void
at_cmd_cancel(struct at_cmd *c)
{
	if (c->cancelled)
		return;
	c->cancelled = 1;
	c->cb = NULL;
	if (c->destroy != NULL)
		c->destroy(c->arg);
}

/* A command that will not complete: destroy runs once, then it is freed. */
void
at_cmd_drop(struct at_cmd *c)
{
	at_cmd_cancel(c);
	at_cmd_free(c);
}

/* Does an answer line belong to the command in flight? */
int
at_cmd_owns(struct at *at, struct at_cmd *c, const char *line)
{
	if (c->prefixes != NULL) {
		for (size_t i = 0; c->prefixes[i] != NULL; i++)
			if (at_prefix_match(c->prefixes[i], line, NULL))
				return 1;
		return 0;
	}
	if (c->step != AT_STEP_NONE)
		return 0;
	if (c->auto_prefix != NULL &&
	    at_prefix_match(c->auto_prefix, line, NULL))
		return 1;
	return !urc_matches(at->urcs, line);
}

/* Store an answer line; a raw-prefix line switches the framer to payload. */
void
at_cmd_add_line(struct at *at, struct at_cmd *c, const char *line)
{
	const char *args;
	long n;

	if (c->n_lines >= AT_RESPONSE_MAX_LINES) {
		at->stats.dropped_lines++;
		return;
	}
	c->lines = xrealloc(c->lines, (c->n_lines + 1) * sizeof(*c->lines));
	c->lines[c->n_lines++] = xstrdup(line);
	if (c->raw_prefix == NULL ||
	    !at_prefix_match(c->raw_prefix, line, &args))
		return;
	if ((n = c->raw_len(args)) <= 0)
		return;
	c->rx_cap = c->rx_len + (size_t)n;
	c->rx = xrealloc(c->rx, c->rx_cap);
	framer_expect_payload(&at->framer, (size_t)n);
}

/* Hand the finished command its response, then release it. */
void
at_deliver(struct at *at, struct at_cmd *c, const struct at_result *res)
{
	struct at_response r;

	r.cmd = c->cmd;
	r.result = *res;
	r.lines = c->lines;
	r.n_lines = c->n_lines;
	r.payload = c->rx;
	r.payload_len = c->rx_len;
	r.payload_written = c->prompted;
	r.fill_taken = c->fill_taken;
	r.fill_len = c->filling ? c->payload_len : 0;
	if (c->cb != NULL && !c->cancelled)
		c->cb(&r, c->arg);
	if (c->destroy != NULL && !c->cancelled)
		c->destroy(c->arg);
	c->cancelled = 1;
	at_cmd_free(c);
}
