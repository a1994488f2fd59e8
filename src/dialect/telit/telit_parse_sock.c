/* Telit socket answer and URC parsers (#SS, #SI, #SRECV, SRING, NO CARRIER,
 * #SLASTCLOSURE, #SSENDEXT=?): see telit_parse.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "at/field.h"
#include "at/result.h"
#include "dialect/telit/telit_parse.h"

int
telit_parse_ss(const char *line, struct telit_ss *ss)
{
	struct at_field f[AT_FIELDS_MAX];
	int n = at_field_args("#SS:", line, f, AT_FIELDS_MAX), state;

	memset(ss, 0, sizeof(*ss));
	ss->local_port = ss->remote_port = -1;
	if (n != 2 && n != 4 && n != 6)
		return -1;
	if (at_field_int(&f[0], 1, TELIT_CONNID_MAX, &ss->conn_id) == -1 ||
	    at_field_int(&f[1], 0, 7, &state) == -1)
		return -1;
	ss->state = (enum telit_ss_state)state;
	if (n >= 4 && (at_field_ip(&f[2], ss->local_ip, sizeof(ss->local_ip)) == -1 ||
	    at_field_int(&f[3], 0, 65535, &ss->local_port) == -1))
		return -1;
	if (n == 6 && (at_field_ip(&f[4], ss->remote_ip,
	    sizeof(ss->remote_ip)) == -1 ||
	    at_field_int(&f[5], 0, 65535, &ss->remote_port) == -1))
		return -1;
	return 0;
}

int
telit_parse_ss_find(const char *const *lines, size_t n, int conn_id, struct telit_ss *ss)
{
	for (size_t i = 0; i < n; i++)
		if (telit_parse_ss(lines[i], ss) == 0 && ss->conn_id == conn_id)
			return 0;
	return -1;
}

int
telit_parse_si(const char *line, struct telit_si *si)
{
	struct at_field f[AT_FIELDS_MAX];

	memset(si, 0, sizeof(*si));
	if (at_field_args("#SI:", line, f, AT_FIELDS_MAX) != 5)
		return -1;
	if (at_field_int(&f[0], 1, TELIT_CONNID_MAX, &si->conn_id) == -1 ||
	    at_field_u64(&f[1], &si->sent) == -1 ||
	    at_field_u64(&f[2], &si->received) == -1 ||
	    at_field_u64(&f[3], &si->buff_in) == -1 ||
	    at_field_u64(&f[4], &si->ack_waiting) == -1)
		return -1;
	return 0;
}

/* The fields of a #SRECV header after its prefix. */
static int
telit_srecv_args(const char *args, struct telit_srecv *r)
{
	struct at_field f[AT_FIELDS_MAX];
	int n = at_field_split(args, f, AT_FIELDS_MAX);
	long len;

	memset(r, 0, sizeof(*r));
	r->src_port = -1;
	r->left = -1;
	if (n == 2) {
		if (at_field_int(&f[0], 1, TELIT_CONNID_MAX, &r->conn_id) == -1 ||
		    at_field_long(&f[1], 0, TELIT_SRECV_MAX, &len) == -1)
			return -1;
		r->len = (size_t)len;
		return 0;
	}
	if (n != 5)
		return -1;
	if (at_field_ip(&f[0], r->src_ip, sizeof(r->src_ip)) == -1 ||
	    at_field_int(&f[1], 0, 65535, &r->src_port) == -1 ||
	    at_field_int(&f[2], 1, TELIT_CONNID_MAX, &r->conn_id) == -1 ||
	    at_field_long(&f[3], 0, TELIT_SRECV_MAX, &len) == -1 ||
	    at_field_long(&f[4], 0, 1L << 30, &r->left) == -1)
		return -1;
	r->len = (size_t)len;
	return 0;
}

int
telit_parse_srecv(const char *line, struct telit_srecv *r)
{
	const char *args;

	if (!at_prefix_match("#SRECV:", line, &args)) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	return telit_srecv_args(args, r);
}

long
telit_srecv_len(const char *args)
{
	struct telit_srecv r;

	if (telit_srecv_args(args, &r) == -1)
		return -1;
	return (long)r.len;
}

/* Recognise "SRING:", "SRING :", "+SRING :" ; returns the arguments. */
static const char *
telit_sring_prefix(const char *line, int *incoming)
{
	const char *p = line;
	int plus = (*p == '+'), spaces = 0;

	if (plus)
		p++;
	if (strncmp(p, "SRING", 5) != 0)
		return NULL;
	for (p += 5; *p == ' '; p++)
		spaces++;
	if (*p != ':')
		return NULL;
	for (p++; *p == ' '; p++)
		;
	*incoming = plus || spaces > 0;
	return p;
}

/* Data modes 2 and 3: the data is the raw rest after the n-th comma. */
static int
telit_sring_data(const char *args, int commas, struct telit_sring *s)
{
	const char *p = args;

	for (int i = 0; i < commas; i++) {
		if ((p = strchr(p, ',')) == NULL)
			return -1;
		p++;
	}
	s->data = p;
	s->data_len = strlen(p);
	return 0;
}

/* srMode 3: "ip",port,connId,recData,dataLeft,data */
static int
telit_sring_udp(const char *args, struct telit_sring *s)
{
	struct at_field f[5];
	const char *p = args;

	for (int i = 0; i < 5; i++) {
		if ((p = at_field_next(p, &f[i])) == NULL || *p != ',')
			return -1;
		p++;
	}
	s->mode = 3;
	if (at_field_ip(&f[0], s->src_ip, sizeof(s->src_ip)) == -1 ||
	    at_field_int(&f[1], 0, 65535, &s->src_port) == -1 ||
	    at_field_int(&f[2], 1, TELIT_CONNID_MAX, &s->conn_id) == -1 ||
	    at_field_long(&f[3], 0, 1L << 30, &s->pending) == -1 ||
	    at_field_long(&f[4], 0, 1L << 30, &s->left) == -1)
		return -1;
	s->data = p;
	s->data_len = strlen(p);
	return 0;
}

int
telit_parse_sring(const char *line, struct telit_sring *s)
{
	struct at_field f[2];
	const char *args, *p;

	memset(s, 0, sizeof(*s));
	s->pending = s->left = -1;
	s->src_port = -1;
	if ((args = telit_sring_prefix(line, &s->incoming)) == NULL)
		return -1;
	if (s->incoming) {
		if (at_field_split(args, f, 1) != 1 ||
		    at_field_int(&f[0], 1, TELIT_CONNID_MAX, &s->conn_id) == -1)
			return -1;
		return 0;
	}
	if ((p = at_field_next(args, &f[0])) == NULL)
		return -1;
	if (f[0].quoted || memchr(f[0].p, '.', f[0].len) != NULL ||
	    memchr(f[0].p, ':', f[0].len) != NULL)
		return telit_sring_udp(args, s);
	if (at_field_int(&f[0], 1, TELIT_CONNID_MAX, &s->conn_id) == -1)
		return -1;
	if (*p == '\0')
		return 0;
	if ((p = at_field_next(p + 1, &f[1])) == NULL ||
	    at_field_long(&f[1], 0, 1L << 30, &s->pending) == -1)
		return -1;
	s->mode = 1;
	if (*p == '\0')
		return 0;
	s->mode = 2;
	return telit_sring_data(args, 2, s);
}

int
telit_parse_no_carrier(const char *line, struct telit_no_carrier *nc)
{
	struct at_field f[AT_FIELDS_MAX];
	const char *args;
	int n;

	nc->conn_id = nc->cause = -1;
	if (!at_prefix_match("NO CARRIER", line, &args))
		return -1;
	if (args == line + strlen(line) && strchr(line, ':') == NULL)
		return 0;	/* bare NO CARRIER */
	n = at_field_split(args, f, AT_FIELDS_MAX);
	if (n < 1 || n > 2 ||
	    at_field_int(&f[0], 1, TELIT_CONNID_MAX, &nc->conn_id) == -1)
		return -1;
	if (n == 2 && at_field_int(&f[1], 0, 255, &nc->cause) == -1)
		return -1;
	return 0;
}

int
telit_parse_slastclosure(const char *line, struct telit_slastclosure *sc)
{
	struct at_field f[AT_FIELDS_MAX];

	sc->conn_id = sc->cause = -1;
	if (at_field_args("#SLASTCLOSURE:", line, f, AT_FIELDS_MAX) != 2 ||
	    at_field_int(&f[0], 1, TELIT_CONNID_MAX, &sc->conn_id) == -1 ||
	    at_field_int(&f[1], 0, 255, &sc->cause) == -1)
		return -1;
	return 0;
}

int
telit_parse_ssendext_test(const char *line, size_t *max)
{
	const char *p;
	long lo, hi;

	if (!at_prefix_match("#SSENDEXT:", line, &p) ||
	    at_field_range(&p, &lo, &hi) == -1)	/* connection ids */
		return -1;
	while (*p == ' ')
		p++;
	if (*p++ != ',')
		return -1;
	while (*p == ' ')
		p++;
	if (at_field_range(&p, &lo, &hi) == -1 || lo < 1 || hi < lo || hi > 65535)
		return -1;
	*max = (size_t)hi;
	return 0;
}
