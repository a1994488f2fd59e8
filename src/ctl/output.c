/* Reply records as cellsockctl reads them off the control socket. */
#include "config.h"

#include <string.h>

#include "output.h"
#include "proto.h"

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

int
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
