/* Secret masking: see mask.h. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "xmalloc.h"
#include "at/mask.h"
#include "at/result.h"

/* 3GPP TS 27.007 commands with secrets; a dialect adds its own. */
static const struct at_mask_rule mask_rules[] = {
	{ "+CPIN=", AT_MASK_ALL },
	{ "+CPIN2=", AT_MASK_ALL },
	{ "+CPWD=", AT_MASK_ARG(2) | AT_MASK_ARG(3) },
	{ "+CLCK=", AT_MASK_ARG(3) },
	{ "+CGAUTH=", AT_MASK_ARG(4) },
};

/* The rule of the n rules whose name starts at p, or NULL. */
static const struct at_mask_rule *
mask_match(const char *p, const struct at_mask_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncasecmp(p, rules[i].name, strlen(rules[i].name)) == 0)
			return &rules[i];
	return NULL;
}

/* Find the first rule whose name occurs in cmd; *at is where its args start. */
static const struct at_mask_rule *
mask_find(const struct at_dialect *d, const char *cmd, const char **at)
{
	const struct at_mask_rule *r;

	for (const char *p = cmd; *p != '\0'; p++) {
		r = mask_match(p, mask_rules, sizeof(mask_rules) / sizeof(mask_rules[0]));
		if (r == NULL && d != NULL)
			r = mask_match(p, d->masks, d->n_masks);
		if (r != NULL) {
			*at = p + strlen(r->name);
			return r;
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
at_mask_dup(const struct at_dialect *dialect, const char *cmd, int all)
{
	/* Each argument may grow by "***"; bound the copy generously. */
	char *out = xmalloc(strlen(cmd) * 4 + 8), *dst = out;
	const struct at_mask_rule *rule;
	struct at_mask_rule everything = { "=", AT_MASK_ALL };
	const char *p = cmd, *args;

	for (;;) {
		if (all) {
			args = strchr(p, '=');
			rule = args != NULL ? &everything : NULL;
			if (args != NULL)
				args++;
		} else
			rule = mask_find(dialect, p, &args);
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
