#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "jsonstr.h"
#include "proto.h"
#include "xmalloc.h"

int
record_parse(char *line, struct record *r)
{
	char *save = NULL, *tok, *eq;

	memset(r, 0, sizeof(*r));
	r->line = line;
	r->type = strtok_r(line, " ", &save);
	if (r->type == NULL)
		return -1;
	if (save != NULL && *save == '{') {
		r->json = save;
		return 0;
	}
	while ((tok = strtok_r(NULL, " ", &save)) != NULL && r->n < RECORD_FIELDS_MAX) {
		if ((eq = strchr(tok, '=')) == NULL)
			continue;
		*eq = '\0';
		r->key[r->n] = tok;
		r->val[r->n] = proto_value_decode(eq + 1);
		r->n++;
	}
	return 0;
}

const char *
record_get(const struct record *r, const char *key)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->key[i], key) == 0)
			return r->val[i];
	return NULL;
}

/* Whether type is one of the comma-separated names in lists. */
static int
output_is_list(const char *type, const char *lists)
{
	size_t n = strlen(type);

	for (const char *p = lists; p != NULL && *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, type, n) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* ---- text ---- */

/* Print all records of one type as a table with a header row. */
static void
text_table(FILE *f, struct record *recs, int n, const char *type)
{
	const struct record *first = NULL;
	int width[RECORD_FIELDS_MAX] = { 0 };

	for (int i = 0; i < n; i++) {
		if (strcmp(recs[i].type, type) != 0)
			continue;
		if (first == NULL)
			first = &recs[i];
		for (int k = 0; k < first->n && k < recs[i].n; k++) {
			int w = (int)strlen(recs[i].val[k][0] ? recs[i].val[k] : "-");
			if ((int)strlen(first->key[k]) > w)
				w = (int)strlen(first->key[k]);
			if (w > width[k])
				width[k] = w;
		}
	}
	if (first == NULL)
		return;
	for (int k = 0; k < first->n; k++)
		fprintf(f, "%-*s%s", width[k], first->key[k], k + 1 < first->n ? "  " : "\n");
	for (int i = 0; i < n; i++) {
		if (strcmp(recs[i].type, type) != 0)
			continue;
		for (int k = 0; k < first->n && k < recs[i].n; k++)
			fprintf(f, "%-*s%s", width[k], recs[i].val[k][0] ? recs[i].val[k] : "-",
			    k + 1 < first->n ? "  " : "\n");
	}
}

/* A single record as "key: value" lines. */
static void
text_block(FILE *f, const struct record *r)
{
	int width = 0;

	for (int k = 0; k < r->n; k++)
		if ((int)strlen(r->key[k]) > width)
			width = (int)strlen(r->key[k]);
	for (int k = 0; k < r->n; k++)
		fprintf(f, "%-*s  %s\n", width + 1, r->key[k], r->val[k][0] ? r->val[k] : "-");
}

static void
text_reply(FILE *f, struct record *recs, int n, const char *lists)
{
	int printed = 0;

	for (int i = 0; i < n; i++) {
		int seen = 0;
		for (int j = 0; j < i; j++)
			seen |= strcmp(recs[j].type, recs[i].type) == 0;
		if (seen)
			continue;
		if (printed++)
			fputc('\n', f);
		if (output_is_list(recs[i].type, lists))
			text_table(f, recs, n, recs[i].type);
		else
			text_block(f, &recs[i]);
	}
}

static void
text_event(FILE *f, const struct record *ev)
{
	char stamp[32];
	time_t now = time(NULL);

	strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&now));
	fprintf(f, "%s %s", stamp, ev->type);
	for (int k = 0; k < ev->n; k++)
		fprintf(f, " %s=%s", ev->key[k], ev->val[k]);
	fputc('\n', f);
	fflush(f);
}

static void
text_error(FILE *f, const char *code, const char *message)
{
	fprintf(f, "cellsockctl: %s (%s)\n", message, code);
}

const struct output output_text = { text_reply, text_event, text_error };

/* ---- JSON ---- */

/* Valid UTF-8 is written as it is; each byte that is not part of a
 * well-formed sequence becomes \ufffd, so the output is always valid JSON. */
void
output_json_string(FILE *f, const char *s)
{
	char *q = xmalloc(JSON_QUOTED_MAX(strlen(s)));

	fwrite(q, 1, json_quote(s, q), f);
	free(q);
}

/* Integers and decimals become JSON numbers, everything else strings. */
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

static void
json_reply(FILE *f, struct record *recs, int n, const char *lists)
{
	int printed = 0;

	fputs("{\"ok\":true", f);
	for (int i = 0; i < n; i++) {
		int seen = 0, list = output_is_list(recs[i].type, lists);
		for (int j = 0; j < i; j++)
			seen |= strcmp(recs[j].type, recs[i].type) == 0;
		if (seen)
			continue;
		fputc(',', f);
		output_json_string(f, recs[i].type);
		fputs(list ? ":[" : ":", f);
		printed = 0;
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
	fputs("}\n", f);
}

static void
json_event(FILE *f, const struct record *ev)
{
	if (ev->json != NULL) {
		fprintf(f, "%s\n", ev->json);
		fflush(f);
		return;
	}
	fputs("{\"event\":", f);
	output_json_string(f, ev->type);
	for (int k = 0; k < ev->n; k++) {
		fputc(',', f);
		output_json_string(f, ev->key[k]);
		fputc(':', f);
		json_value(f, ev->val[k]);
	}
	fputc('}', f);
	fputc('\n', f);
	fflush(f);
}

static void
json_error(FILE *f, const char *code, const char *message)
{
	fputs("{\"ok\":false,\"error\":{\"code\":", f);
	output_json_string(f, code);
	fputs(",\"message\":", f);
	output_json_string(f, message);
	fputs("}}\n", f);
}

const struct output output_json = { json_reply, json_event, json_error };
