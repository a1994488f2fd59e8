/* Secret masking for AT traffic logs: PINs and passwords never reach a log. */
#ifndef CELLSOCK_AT_MASK_H
#define CELLSOCK_AT_MASK_H

#include <stddef.h>

struct at_dialect;

#define AT_MASK_ALL	0xffffffffu
#define AT_MASK_ARG(n)	(1u << ((n) - 1))

/* A command name (with its '=') and which of its arguments are secret. */
struct at_mask_rule {
	const char *name;
	unsigned args;		/* AT_MASK_ARG(n) | ..., or AT_MASK_ALL */
};

/* Return a copy of an AT command line (or its echo) with secret arguments
 * replaced by "***": the 3GPP ones (+CPIN, +CPIN2, +CPWD, +CLCK passwords,
 * +CGAUTH) and those of the dialect's mask table (dialect may be NULL).
 * With all set, every argument after the first '=' is masked. The caller
 * frees the result. */
char *at_mask_dup(const struct at_dialect *dialect, const char *cmd, int all);

#endif
