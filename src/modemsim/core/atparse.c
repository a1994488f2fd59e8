#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "atparse.h"

/* A cursor over the line being parsed and the storage the result points into. */
struct at_cursor {
	const char *p;
	const char *end;
	char *out;
	char *out_end;
};

static int
at_peek(const struct at_cursor *c)
{
	return c->p < c->end ? (unsigned char)*c->p : -1;
}

/* Copy [from, to) into the line's storage as a NUL-terminated string. */
static const char *
at_store(struct at_cursor *c, const char *from, const char *to)
{
	size_t n = (size_t)(to - from);
	char *s = c->out;

	if (n + 1 > (size_t)(c->out_end - c->out))
		return NULL;
	memcpy(s, from, n);
	s[n] = '\0';
	c->out += n + 1;
	return s;
}

/* Start a new command with the given name; NULL when the line has too many. */
static struct at_cmd *
at_new_cmd(struct at_line *out, const char *name, size_t namelen)
{
	struct at_cmd *cmd;

	if (out->ncmds == AT_CMDS_MAX || namelen + 1 > AT_NAME_MAX)
		return NULL;
	cmd = &out->cmd[out->ncmds++];
	for (size_t i = 0; i < namelen; i++)
		cmd->name[i] = (char)toupper((unsigned char)name[i]);
	cmd->name[namelen] = '\0';
	cmd->type = AT_EXEC;
	cmd->args = "";
	return cmd;
}

/* Parameters of an extended command run to a ';' outside quotes. */
static int
at_parse_ext_args(struct at_cursor *c, struct at_cmd *cmd)
{
	const char *start = c->p;
	int quoted = 0;

	for (; c->p < c->end; c->p++) {
		if (*c->p == '"')
			quoted = !quoted;
		else if (*c->p == ';' && !quoted)
			break;
	}
	if (quoted)
		return -1;
	cmd->args = at_store(c, start, c->p);
	return cmd->args == NULL ? -1 : 0;
}

/* What follows a name: "?" (read), "=?" (test), "=" (set: returns 1, the
 * arguments come next) or nothing (exec). */
static int
at_parse_suffix(struct at_cursor *c, struct at_cmd *cmd)
{
	if (at_peek(c) == '?') {
		c->p++;
		cmd->type = AT_READ;
		return 0;
	}
	if (at_peek(c) != '=')
		return 0;
	c->p++;
	if (at_peek(c) == '?') {
		c->p++;
		cmd->type = AT_TEST;
		return 0;
	}
	cmd->type = AT_SET;
	return 1;
}

/* "+NAME", "#NAME": exec, "=args", "?" or "=?". */
static int
at_parse_extended(struct at_cursor *c, struct at_line *out)
{
	const char *start = c->p++;
	struct at_cmd *cmd;

	while (c->p < c->end && (isalnum((unsigned char)*c->p) || *c->p == '_'))
		c->p++;
	if (c->p - start < 2 || (cmd = at_new_cmd(out, start, (size_t)(c->p - start))) == NULL)
		return -1;
	if (at_parse_suffix(c, cmd) == 1)
		return at_parse_ext_args(c, cmd);
	return 0;
}

/* Digits after a basic command become its (SET) argument. */
static int
at_parse_digits(struct at_cursor *c, struct at_cmd *cmd)
{
	const char *start = c->p;

	while (c->p < c->end && isdigit((unsigned char)*c->p))
		c->p++;
	if (c->p == start)
		return 0;
	cmd->type = AT_SET;
	cmd->args = at_store(c, start, c->p);
	return cmd->args == NULL ? -1 : 0;
}

/* "Sn?", "Sn=v": S-registers. */
static int
at_parse_sreg(struct at_cursor *c, struct at_line *out)
{
	const char *start = c->p++;
	struct at_cmd *cmd;

	while (c->p < c->end && isdigit((unsigned char)*c->p))
		c->p++;
	if (c->p - start < 2 || (cmd = at_new_cmd(out, start, (size_t)(c->p - start))) == NULL)
		return -1;
	if (at_parse_suffix(c, cmd) != 1)
		return 0;
	cmd->args = "";
	return at_parse_digits(c, cmd);
}

/* "E0", "&K3", "I4", "D<dial string>". */
static int
at_parse_basic(struct at_cursor *c, struct at_line *out)
{
	const char *start = c->p;
	struct at_cmd *cmd;

	if (*c->p == '&')
		c->p++;
	if (!isalpha(at_peek(c)))
		return -1;
	c->p++;
	if ((cmd = at_new_cmd(out, start, (size_t)(c->p - start))) == NULL)
		return -1;
	if (strcmp(cmd->name, "D") == 0) {
		cmd->type = AT_SET;
		cmd->args = at_store(c, c->p, c->end);
		c->p = c->end;
		return cmd->args == NULL ? -1 : 0;
	}
	if (at_peek(c) == '?') {
		c->p++;
		cmd->type = AT_READ;
		return 0;
	}
	return at_parse_digits(c, cmd);
}

int
at_parse_line(const char *line, size_t len, struct at_line *out)
{
	struct at_cursor c = { line, line + len, out->buf, out->buf + sizeof(out->buf) };
	int ch, rc;

	out->ncmds = 0;
	if (len < 2 || len > AT_LINE_MAX || toupper((unsigned char)line[0]) != 'A' ||
	    toupper((unsigned char)line[1]) != 'T')
		return -1;
	c.p += 2;
	while ((ch = at_peek(&c)) != -1) {
		if (ch == ';' || ch == ' ') {
			c.p++;
			continue;
		}
		if (ch == '+' || ch == '#' || ch == '$' || ch == '%')
			rc = at_parse_extended(&c, out);
		else if (ch == 'S' || ch == 's')
			rc = at_parse_sreg(&c, out);
		else
			rc = at_parse_basic(&c, out);
		if (rc == -1)
			return -1;
		ch = at_peek(&c);
		if (ch != -1 && (out->cmd[out->ncmds - 1].name[0] == '+' ||
		    out->cmd[out->ncmds - 1].name[0] == '#') && ch != ';' && ch != ' ')
			return -1;
	}
	return 0;
}

/* Store one parameter [from, to), trimming blanks and removing quotes. */
static int
at_store_arg(struct at_cursor *c, struct at_args *out, const char *from, const char *to)
{
	struct at_arg *arg;

	if (out->argc == AT_ARGS_MAX)
		return -1;
	arg = &out->argv[out->argc++];
	while (from < to && *from == ' ')
		from++;
	while (to > from && to[-1] == ' ')
		to--;
	arg->quoted = 0;
	if (to - from >= 2 && *from == '"' && to[-1] == '"') {
		arg->quoted = 1;
		from++;
		to--;
	} else if (memchr(from, '"', (size_t)(to - from)) != NULL)
		return -1;
	arg->present = arg->quoted || to > from;
	arg->str = at_store(c, from, to);
	return arg->str == NULL ? -1 : 0;
}

int
at_split_args(const char *args, struct at_args *out)
{
	size_t len = strlen(args);
	struct at_cursor c = { args, args + len, out->buf, out->buf + sizeof(out->buf) };
	const char *start = args;
	int quoted = 0;

	out->argc = 0;
	if (len > AT_LINE_MAX)
		return -1;
	if (len == 0)
		return 0;
	for (const char *p = args; p <= c.end; p++) {
		if (p < c.end && *p == '"')
			quoted = !quoted;
		if (p < c.end && (*p != ',' || quoted))
			continue;
		if (at_store_arg(&c, out, start, p) == -1)
			return -1;
		start = p + 1;
	}
	return quoted ? -1 : 0;
}

int
at_arg_int(const struct at_args *a, int i, long min, long max, long *out)
{
	const struct at_arg *arg;
	char *end;
	long v;

	if (i < 0 || i >= a->argc || !a->argv[i].present)
		return 0;
	arg = &a->argv[i];
	if (arg->quoted || !isdigit((unsigned char)arg->str[0]))
		return -1;
	errno = 0;
	v = strtol(arg->str, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 1;
}

const char *
at_arg_str(const struct at_args *a, int i)
{
	if (i < 0 || i >= a->argc || !a->argv[i].present)
		return NULL;
	return a->argv[i].str;
}
