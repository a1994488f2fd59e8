#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "proto.h"
#include "control/rec.h"
#include "xmalloc.h"

void
rec_begin(struct rec *r, struct evbuffer *out, const char *type)
{
	r->out = out;
	r->fields = 0;
	evbuffer_add(out, type, strlen(type));
}

/* Write " key=" and the already encoded value. */
static void
rec_put(struct rec *r, const char *key, const char *v)
{
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
	n = 3 * strlen(v) + 1;
	enc = xmalloc(n);
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

	snprintf(buf, sizeof(buf), "%.*f", prec, v);
	rec_put(r, key, buf);
}

void
rec_bool(struct rec *r, const char *key, int v)
{
	rec_put(r, key, v ? "1" : "0");
}

void
rec_time(struct rec *r, const char *key, time_t v)
{
	rec_int(r, key, (long long)v);
}

void
rec_end(struct rec *r)
{
	evbuffer_add(r->out, "\n", 1);
}
