/* Secret masking: see mask.h. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "xmalloc.h"
#include "at/mask.h"

#define MASK_ALL	0xffffffffu
#define MASK_ARG(n)	(1u << ((n) - 1))

/* A command name (with its '=') and which of its arguments are secret. */
struct mask_rule {
	const char *name;
	unsigned args;
};

static const struct mask_rule mask_rules[] = {
	{ "+CPIN=", MASK_ALL },
	{ "+CPIN2=", MASK_ALL },
	{ "+CPWD=", MASK_ARG(2) | MASK_ARG(3) },
	{ "+CLCK=", MASK_ARG(3) },
	{ "#SGACT=", MASK_ARG(4) },
	{ "+CGAUTH=", MASK_ARG(4) },
	{ "#PDPAUTH=", MASK_ARG(4) },
	{ "+QICSGP=", MASK_ARG(5) },
};

/* Find the first rule whose name occurs in cmd; *at is where its args start. */
static const struct mask_rule *
mask_find(const char *cmd, const char **at)
{
	const size_t nrules = sizeof(mask_rules) / sizeof(mask_rules[0]);
	const char *p;
	size_t nl;

	for (p = cmd; *p != '\0'; p++) {
		for (size_t i = 0; i < nrules; i++) {
			nl = strlen(mask_rules[i].name);
			if (strncasecmp(p, mask_rules[i].name, nl) == 0) {
				*at = p + nl;
				return &mask_rules[i];
			}
		}
	}
	return NULL;
}

/* Copy the arguments at src to dst, masking the selected ones, up to the
 * end of this command (';' outside quotes). Returns the new end of dst. */
static char *
mask_args(const char *src, unsigned args, char *dst, const char **rest)
{
	unsigned n = 1;
	int quoted = 0, masked = 0;

	for (; *src != '\0'; src++) {
		if (*src == ';' && !quoted)
			break;
		if (*src == ',' && !quoted) {
			n++;
			masked = 0;
			*dst++ = ',';
			continue;
		}
		if (*src == '"') {
			quoted = !quoted;
			*dst++ = '"';
			continue;
		}
		if (n > 32 || !(args & (1u << (n - 1)))) {
			*dst++ = *src;
			continue;
		}
		if (!masked) {
			memcpy(dst, "***", 3);
			dst += 3;
			masked = 1;
		}
	}
	*rest = src;
	return dst;
}

char *
at_mask_dup(const char *cmd, int all)
{
	/* Each argument may grow by "***"; bound the copy generously. */
	char *out = xmalloc(strlen(cmd) * 4 + 8), *dst = out;
	const struct mask_rule *rule;
	struct mask_rule everything = { "=", MASK_ALL };
	const char *p = cmd, *args;

	for (;;) {
		if (all) {
			args = strchr(p, '=');
			rule = args != NULL ? &everything : NULL;
			if (args != NULL)
				args++;
		} else
			rule = mask_find(p, &args);
		if (rule == NULL)
			break;
		memcpy(dst, p, (size_t)(args - p));
		dst += args - p;
		dst = mask_args(args, rule->args, dst, &p);
		if (*p == '\0')
			break;
	}
	strcpy(dst, p);
	return out;
}
