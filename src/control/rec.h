/* Reply records built field by field with their types: the one place that
 * decides how a record is written on the control socket. Text records are
 * "TYPE key=value ..." lines (strings %XX-encoded, see proto.h); a request
 * prefixed with the word "json" gets "TYPE {...}" lines instead, one JSON
 * object each, typed here at the source: strings stay strings, an empty or
 * absent string is null, times are RFC 3339 with the raw epoch beside. */
#ifndef CELLSOCK_CONTROL_REC_H
#define CELLSOCK_CONTROL_REC_H

#include <time.h>

struct evbuffer;

struct rec {
	struct evbuffer *out;
	int json;		/* write a JSON object, not key=value words */
	int fields;		/* written so far */
};

/* Start a record of the given type on out. */
void rec_begin(struct rec *, struct evbuffer *out, int json, const char *type);
/* A string; NULL or "" is "no value" (null in JSON). */
void rec_str(struct rec *, const char *key, const char *v);
/* A name from one of the protocol's name tables (a state, a cause). */
void rec_word(struct rec *, const char *key, const char *v);
void rec_int(struct rec *, const char *key, long long v);
void rec_uint(struct rec *, const char *key, unsigned long long v);
/* A number printed with prec decimals. */
void rec_num(struct rec *, const char *key, double v, int prec);
/* A number that may be unknown (null in JSON, empty in text). */
void rec_int_or_null(struct rec *, const char *key, long long v, int known);
void rec_num_or_null(struct rec *, const char *key, double v, int prec, int known);
void rec_bool(struct rec *, const char *key, int v);
/* A point in time (Unix epoch seconds); 0 is "never" (null). JSON gets
 * key as RFC 3339 local time with its offset and key_epoch as the number. */
void rec_time(struct rec *, const char *key, time_t v);
/* Finish the record (the newline). */
void rec_end(struct rec *);

/* An event line "EVENT name k=v ..." as it goes to a JSON monitor:
 * "EVENT {"event":name,"time":...,"epoch":...,k:v...}" with each field's
 * type from the protocol's table of event fields. */
void rec_event_json(struct evbuffer *out, const char *line, time_t now);
/* Format t as RFC 3339 local time with its UTC offset into buf (>= 32). */
void rec_rfc3339(time_t t, char *buf, size_t size);

#endif
