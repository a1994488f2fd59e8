/* Reply records and their rendering: one formatter chosen once by -j
 * (bgpctl's struct output idea). */
#ifndef CELLSOCK_CTL_OUTPUT_H
#define CELLSOCK_CTL_OUTPUT_H

#include <stdio.h>

#define RECORD_FIELDS_MAX 48

/* One "TYPE key=value ..." reply line, decoded. Storage is owned by line. */
struct record {
	char *type;
	int n;
	char *key[RECORD_FIELDS_MAX];
	char *val[RECORD_FIELDS_MAX];
	char *line;
	const char *json;	/* "TYPE {...}": the object as the daemon typed it */
};

/* Split and decode line (modified in place) into r. -1 if it is not a record. */
int record_parse(char *line, struct record *r);
const char *record_get(const struct record *r, const char *key);

struct output {
	/* Render every record of one reply; lists names the record types shown as arrays. */
	void (*reply)(FILE *f, struct record *recs, int n, const char *lists);
	/* One event while monitoring; its type is the event name. */
	void (*event)(FILE *f, const struct record *ev);
	/* The terminal ERR line. */
	void (*error)(FILE *f, const char *code, const char *message);
};

extern const struct output output_text;
extern const struct output output_json;

/* Write s as a JSON string literal. */
void output_json_string(FILE *f, const char *s);

#endif
