/* -j: the daemon's typed JSON objects pasted as they came, grouped by
 * record type into one document per reply. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "jsonstr.h"
#include "xmalloc.h"

/* Valid UTF-8 is written as it is; each byte that is not part of a
 * well-formed sequence becomes \ufffd, so the output is always valid JSON. */
void
output_json_string(FILE *f, const char *s)
{
	char *q = xmalloc(JSON_QUOTED_MAX(strlen(s)));

	fwrite(q, 1, json_quote(s, q), f);
	free(q);
}

/* Integers and decimals become JSON numbers, everything else strings (for
 * a record that came as text, which a JSON request never gets). */
static void
json_value(FILE *f, const char *v)
{
	const char *p = v;

	if (*p == '-')
		p++;
	if (isdigit((unsigned char)*p) && (p[0] != '0' || p[1] == '\0' || p[1] == '.')) {
		char *end;
		strtod(v, &end);
		if (*end == '\0' && strlen(v) < 20) {
			fputs(v, f);
			return;
		}
	}
	output_json_string(f, v);
}

static void
json_object(FILE *f, const struct record *r)
{
	if (r->json != NULL) {
		fputs(r->json, f);
		return;
	}
	fputc('{', f);
	for (int k = 0; k < r->n; k++) {
		if (k)
			fputc(',', f);
		output_json_string(f, r->key[k]);
		fputc(':', f);
		json_value(f, r->val[k]);
	}
	fputc('}', f);
}

/* Every record of the type of recs[i] (the first of its type), as one
 * member: an array for list types, else the object. */
static void
json_member(FILE *f, struct record *recs, int i, int n, int list)
{
	int printed = 0;

	fputc(',', f);
	output_json_string(f, recs[i].type);
	fputs(list ? ":[" : ":", f);
	for (int j = i; j < n; j++) {
		if (strcmp(recs[j].type, recs[i].type) != 0)
			continue;
		if (printed++)
			fputc(',', f);
		json_object(f, &recs[j]);
		if (!list)
			break;
	}
	if (list)
		fputc(']', f);
}

/* "type":[] for each list type of the reply that has no record, so an
 * array member is always there. */
static void
json_empty_lists(FILE *f, const struct record *recs, int n, const char *lists)
{
	char type[64];

	for (const char *p = lists; p != NULL && *p != '\0';) {
		const char *end = strchr(p, ',');
		int len = end ? (int)(end - p) : (int)strlen(p), seen = 0;
		snprintf(type, sizeof(type), "%.*s", len, p);
		for (int i = 0; i < n; i++)
			seen |= strcmp(recs[i].type, type) == 0;
		if (!seen) {
			fputc(',', f);
			output_json_string(f, type);
			fputs(":[]", f);
		}
		p = end ? end + 1 : NULL;
	}
}

static int
json_reply(FILE *f, struct record *recs, int n, const struct reply_info *info)
{
	fputs("{\"ok\":true", f);
	for (int i = 0; i < n; i++) {
		int seen = 0;
		for (int j = 0; j < i; j++)
			seen |= strcmp(recs[j].type, recs[i].type) == 0;
		if (!seen)
			json_member(f, recs, i, n, output_is_list(recs[i].type, info->lists));
	}
	json_empty_lists(f, recs, n, info->lists);
	fputs("}\n", f);
	return 0;
}

static void
json_event(FILE *f, const char *line)
{
	fprintf(f, "%s\n", line);
	fflush(f);
}

static void
json_error(FILE *f, const char *code, const char *message, char *const *problems, int n)
{
	fputs("{\"ok\":false,\"error\":{\"code\":", f);
	output_json_string(f, code);
	fputs(",\"message\":", f);
	output_json_string(f, message);
	if (n > 0) {
		fputs(",\"problems\":[", f);
		for (int i = 0; i < n; i++) {
			if (i)
				fputc(',', f);
			fputs(problems[i], f);	/* a JSON object */
		}
		fputc(']', f);
	}
	fputs("}}\n", f);
}

const struct output output_json = { json_reply, json_event, json_error };
