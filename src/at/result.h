/* Final result codes of AT commands, from a table that a dialect extends
 * (oFono gatresult's role), and matching of answer/URC line prefixes. */
#ifndef CELLSOCK_AT_RESULT_H
#define CELLSOCK_AT_RESULT_H

#include <stddef.h>

enum at_final_kind {
	AT_FINAL_OK,
	AT_FINAL_ERROR,
	AT_FINAL_CME_ERROR,	/* +CME ERROR: <n|text> */
	AT_FINAL_CMS_ERROR,	/* +CMS ERROR: <n|text> */
	AT_FINAL_NO_CARRIER,	/* NO CARRIER, NO CARRIER: id[,cause] */
	AT_FINAL_CONNECT,	/* CONNECT [text] */
	AT_FINAL_NO_ANSWER,
	AT_FINAL_BUSY,
	AT_FINAL_NO_DIALTONE,
	AT_FINAL_DIALECT,	/* a final added by a dialect (e.g. SEND OK) */
	AT_FINAL_TIMEOUT,	/* synthetic: the command's deadline passed */
	AT_FINAL_GONE,		/* synthetic: the port vanished */
};
#define AT_FINAL_COUNT (AT_FINAL_GONE + 1)

/* One row of a final-result table. */
struct at_final_def {
	const char *text;		/* e.g. "OK", "+CME ERROR" */
	enum at_final_kind kind;
	int success;			/* counts as success for the caller */
	int args;			/* ':' or ' ' and args may follow */
	int code;			/* at_result.code of a dialect final */
};

/* One row of an error-number table (+CME ERROR). */
struct at_cme_def {
	int code;
	const char *text;		/* the +CMEE=2 wording */
};

struct at_mask_rule;

/* What a dialect adds: its rows are looked at before the standard ones
 * (its secret-bearing commands after the standard ones, see at/mask.h). */
struct at_dialect {
	const char *name;
	const struct at_final_def *finals;
	size_t n_finals;
	const struct at_cme_def *cme;
	size_t n_cme;
	const struct at_mask_rule *masks;
	size_t n_masks;
};

/* A parsed final result. text points into the caller's line. */
struct at_result {
	enum at_final_kind kind;
	int success;
	int code;		/* +CME/+CMS number (text mapped),
				 * a dialect final's code, or -1 */
	const char *text;	/* the final line; NULL if synthetic */
};

/* Name of a kind for logs and the control protocol ("OK", "TIMEOUT", ...). */
const char *at_final_name(enum at_final_kind);
/* If line is a final result, fill *res and return 1; else return 0.
 * dialect may be NULL. */
int at_result_parse(const struct at_dialect *, const char *line,
    struct at_result *);
/* Fill *res with a synthetic result (TIMEOUT, GONE). */
void at_result_synthetic(enum at_final_kind, struct at_result *);
/* Map +CME ERROR text (any case, punctuation ignored) to its number; -1. */
int at_cme_code(const struct at_dialect *, const char *text);
/* The wording of an error number, or NULL. */
const char *at_cme_text(const struct at_dialect *, int code);
/* Does line start with prefix? A prefix ending in ':' also matches with
 * spaces before the colon ("+X :"); a prefix without one matches the
 * whole line or the line followed by [spaces] ':'. On a match, *args (if not
 * NULL) points past the prefix, the colon and any spaces. */
int at_prefix_match(const char *prefix, const char *line, const char **args);

#endif
