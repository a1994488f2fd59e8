/* Reply records built field by field with their types: the one place that
 * decides how a record is written on the control socket. Text records are
 * "TYPE key=value ..." lines (strings %XX-encoded, see proto.h). */
#ifndef CELLSOCK_CONTROL_REC_H
#define CELLSOCK_CONTROL_REC_H

#include <time.h>

struct evbuffer;

struct rec {
	struct evbuffer *out;
	int fields;		/* written so far */
};

/* Start a record of the given type on out. */
void rec_begin(struct rec *, struct evbuffer *out, const char *type);
/* A string; NULL is "no value". */
void rec_str(struct rec *, const char *key, const char *v);
/* A name from one of the protocol's name tables (a state, a cause). */
void rec_word(struct rec *, const char *key, const char *v);
void rec_int(struct rec *, const char *key, long long v);
void rec_uint(struct rec *, const char *key, unsigned long long v);
/* A number printed with prec decimals. */
void rec_num(struct rec *, const char *key, double v, int prec);
void rec_bool(struct rec *, const char *key, int v);
/* A point in time (Unix epoch seconds); 0 is "never". */
void rec_time(struct rec *, const char *key, time_t v);
/* Finish the record (the newline). */
void rec_end(struct rec *);

#endif
