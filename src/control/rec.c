#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "control/rec.h"
#include "jsonstr.h"
#include "proto.h"
#include "xmalloc.h"

void
rec_begin(struct rec *r, struct evbuffer *out, int json, const char *type)
{
	r->out = out;
	r->json = json;
	r->fields = 0;
	evbuffer_add(out, type, strlen(type));
	if (json)
		evbuffer_add(out, " {", 2);
}

/* Append a JSON string literal. */
static void
rec_json_string(struct evbuffer *out, const char *s)
{
	char *q = xmalloc(JSON_QUOTED_MAX(strlen(s)));

	evbuffer_add(out, q, json_quote(s, q));
	free(q);
}

/* Write the key and the value as it goes on the wire (already encoded for
 * text, a JSON literal for JSON). */
static void
rec_put(struct rec *r, const char *key, const char *v)
{
	if (r->json) {
		if (r->fields > 0)
			evbuffer_add(r->out, ",", 1);
		rec_json_string(r->out, key);
		evbuffer_add_printf(r->out, ":%s", v);
	} else
		evbuffer_add_printf(r->out, " %s=%s", key, v);
	r->fields++;
}

void
rec_str(struct rec *r, const char *key, const char *v)
{
	size_t n;
	char *enc;

	if (v == NULL)
		v = "";
	if (r->json && *v == '\0') {
		rec_put(r, key, "null");
		return;
	}
	n = r->json ? JSON_QUOTED_MAX(strlen(v)) : 3 * strlen(v) + 1;
	enc = xmalloc(n);
	if (r->json)
		json_quote(v, enc);
	else
		proto_value_encode(v, enc, n);
	rec_put(r, key, enc);
	free(enc);
}

void
rec_word(struct rec *r, const char *key, const char *v)
{
	rec_str(r, key, v);
}

void
rec_int(struct rec *r, const char *key, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	rec_put(r, key, buf);
}

void
rec_uint(struct rec *r, const char *key, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	rec_put(r, key, buf);
}

void
rec_num(struct rec *r, const char *key, double v, int prec)
{
	char buf[64];

	if (r->json && !isfinite(v)) {
		rec_put(r, key, "null");
		return;
	}
	snprintf(buf, sizeof(buf), "%.*f", prec, v);
	rec_put(r, key, buf);
}

void
rec_int_or_null(struct rec *r, const char *key, long long v, int known)
{
	if (known)
		rec_int(r, key, v);
	else
		rec_put(r, key, r->json ? "null" : "");
}

void
rec_num_or_null(struct rec *r, const char *key, double v, int prec, int known)
{
	if (known)
		rec_num(r, key, v, prec);
	else
		rec_put(r, key, r->json ? "null" : "");
}

void
rec_bool(struct rec *r, const char *key, int v)
{
	if (r->json)
		rec_put(r, key, v ? "true" : "false");
	else
		rec_put(r, key, v ? "1" : "0");
}

void
rec_rfc3339(time_t t, char *buf, size_t size)
{
	struct tm tm;
	char zone[8];

	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);	/* +hhmm */
	if (strlen(zone) == 5)
		snprintf(buf + strlen(buf), size - strlen(buf), "%.3s:%s", zone, zone + 3);
}

void
rec_time(struct rec *r, const char *key, time_t v)
{
	char stamp[48], ekey[64];

	if (!r->json) {
		rec_int(r, key, (long long)v);
		return;
	}
	snprintf(ekey, sizeof(ekey), "%s_epoch", key);
	if (v == 0) {
		rec_put(r, key, "null");
		rec_put(r, ekey, "null");
		return;
	}
	rec_rfc3339(v, stamp + 1, sizeof(stamp) - 2);
	stamp[0] = '"';
	strcat(stamp, "\"");
	rec_put(r, key, stamp);
	rec_int(r, ekey, (long long)v);
}

void
rec_end(struct rec *r)
{
	if (r->json)
		evbuffer_add(r->out, "}", 1);
	evbuffer_add(r->out, "\n", 1);
}

/* The event fields that are numbers or flags; every other field is a
 * string. "why" is free text and always the last field: it runs to the end
 * of the line. */
static const char *const rec_event_numbers[] = {
	"silent", "failures", "links", "bytes", "lost", "unsent", "unacked", "unread",
	"undelivered", "filler", NULL
};

/* Whether key names a number field of an event. */
static int
rec_event_is_number(const char *key)
{
	for (int i = 0; rec_event_numbers[i] != NULL; i++)
		if (strcmp(rec_event_numbers[i], key) == 0)
			return 1;
	return 0;
}

/* One "key=value" word (value up to the next blank, or the rest of the
 * line for "why") as a typed JSON member. Returns where the next word is. */
static const char *
rec_event_field(struct rec *r, const char *p)
{
	const char *eq = strchr(p, '='), *end;
	char key[64], *val;
	char *endnum;

	end = p + strcspn(p, " ");
	if (eq == NULL || eq > end || (size_t)(eq - p) >= sizeof(key))
		return *end ? end + 1 : end;
	snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
	if (strcmp(key, "why") == 0)
		end = p + strlen(p);
	val = xstrndup(eq + 1, (size_t)(end - eq - 1));
	if (strcmp(key, "resend") == 0)
		rec_bool(r, key, strcmp(val, "0") != 0);
	else if (rec_event_is_number(key) && *val != '\0' && (strtod(val, &endnum), *endnum == '\0'))
		rec_put(r, key, val);
	else
		rec_str(r, key, val);
	free(val);
	return *end ? end + 1 : end;
}

void
rec_event_json(struct evbuffer *out, const char *line, time_t now)
{
	const char *p = line, *name;
	size_t n;
	struct rec r;
	char *ev;

	if (strncmp(p, "EVENT ", 6) == 0)
		p += 6;
	name = p;
	n = strcspn(p, " ");
	p += n;
	while (*p == ' ')
		p++;
	rec_begin(&r, out, 1, "EVENT");
	ev = xstrndup(name, n);
	rec_str(&r, "event", ev);
	free(ev);
	rec_time(&r, "time", now);
	while (*p != '\0')
		p = rec_event_field(&r, p);
	rec_end(&r);
}
