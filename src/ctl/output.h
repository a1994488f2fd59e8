/* Reply records and their rendering: one formatter chosen once by -j
 * (bgpctl's struct output idea). output_text.c draws titled blocks and
 * tables for people, output_json.c pastes the daemon's typed objects. */
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
/* Whether type is one of the comma-separated names in lists. */
int output_is_list(const char *type, const char *lists);

/* What a reply answers: the command as the user typed it. */
struct reply_info {
	const char *command;	/* the command's name ("links") */
	const char *lists;	/* record types shown as arrays (cmdtab) */
	const char *name;	/* links NAME: the one link asked for, or NULL */
};

struct output {
	/* Render every record of one reply. Returns an exit status: 0, or 1
	 * when the reply does not hold what was asked for (links NAME). */
	int (*reply)(FILE *f, struct record *recs, int n, const struct reply_info *info);
	/* One event while monitoring: the line after "EVENT " as it came. */
	void (*event)(FILE *f, const char *line);
	/* The terminal ERR line, and the problems the daemon listed before
	 * it (n may be 0), each as this output shows it: the message (text),
	 * or the record's JSON object (json). */
	void (*error)(FILE *f, const char *code, const char *message,
	    char *const *problems, int n);
};

extern const struct output output_text;
extern const struct output output_json;

/* Write s as a JSON string literal. */
void output_json_string(FILE *f, const char *s);

#endif
