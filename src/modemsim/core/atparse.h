/* The simulator's AT command-line parser: a pure function of its input, so it
 * can be unit-tested and fuzzed. One line ("AT..." without its CR) becomes a
 * list of commands; each command's parameter string splits into arguments. */
#ifndef MODEMSIM_ATPARSE_H
#define MODEMSIM_ATPARSE_H

#include <stddef.h>

#define AT_LINE_MAX	1024	/* longest line the parser accepts */
#define AT_NAME_MAX	24	/* longest command name, with its prefix */
#define AT_CMDS_MAX	16	/* commands in one line */
#define AT_ARGS_MAX	16	/* parameters of one command */

enum at_type {
	AT_EXEC,	/* ATE, AT#SS, AT+CGMR */
	AT_SET,		/* ATE0, AT#SS=1, ATS12=40 */
	AT_READ,	/* AT+CREG?, ATS12? */
	AT_TEST,	/* AT+CREG=? */
};

struct at_cmd {
	char name[AT_NAME_MAX];	/* upper case: "E", "&K", "S12", "+CGDCONT", "#SD" */
	enum at_type type;
	const char *args;	/* parameter text after '=' (or the digits), "" if none */
};

/* One parsed line. The caller owns it; args point into buf. */
struct at_line {
	int ncmds;
	struct at_cmd cmd[AT_CMDS_MAX];
	char buf[AT_LINE_MAX + AT_CMDS_MAX];
};

struct at_arg {
	int present;		/* 0 for an empty parameter ("1,,3") */
	int quoted;		/* it was a "string" */
	const char *str;	/* the text, quotes removed */
};

struct at_args {
	int argc;
	struct at_arg argv[AT_ARGS_MAX];
	char buf[AT_LINE_MAX + AT_ARGS_MAX];
};

/* Parse "AT<commands>" into cmds. Returns 0, or -1 on a syntax error (no AT
 * prefix, unknown character, unterminated string, too many commands). */
int at_parse_line(const char *line, size_t len, struct at_line *out);
/* Split a parameter string on commas outside quotes. Returns 0 or -1. */
int at_split_args(const char *args, struct at_args *out);
/* Argument i as an integer within [min, max]: 1 and *out set, 0 if absent,
 * -1 if not a number or out of range. */
int at_arg_int(const struct at_args *a, int i, long min, long max, long *out);
/* Argument i as a string, or NULL when absent. */
const char *at_arg_str(const struct at_args *a, int i);

#endif
