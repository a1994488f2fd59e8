/* libFuzzer target for every Quectel response parser and the error table:
 * the input is one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dialect/quectel/quectel_parse.h"

/* What a parser that succeeded promised about its struct. */
static void
check_all(char *line)
{
	struct quectel_qiurc u;
	struct quectel_qistate s;
	struct quectel_qird r;
	struct quectel_keepalive_test kt;
	long n;

	if (quectel_parse_qiurc(line, &u) == 0 &&
	    (u.name[0] == '\0' || strlen(u.name) >= sizeof(u.name)))
		abort();
	if (quectel_parse_qistate(line, &s) == 0 &&
	    (s.conn_id < 0 || s.conn_id > QUECTEL_CONNID_MAX ||
	    (int)s.state < 0 || (int)s.state > 255))
		abort();
	if (quectel_parse_qird_header(line, &r) == 0 &&
	    r.len > QUECTEL_QIRD_MAX)
		abort();
	if (strncmp(line, "+QIRD:", 6) == 0) {
		n = quectel_qird_len(line + 6 + strspn(line + 6, " "));
		if (n > QUECTEL_QIRD_MAX || n < -1)
			abort();
	}
	if (quectel_parse_qicfg_keepalive_test(line, &kt) == 0 &&
	    (kt.idle_min > kt.idle_max || kt.idle_max <= 0))
		abort();
}

static void
parse_all(char *line)
{
	struct quectel_qiopen o;
	struct quectel_qisend_info si;
	struct quectel_qird_info ri;
	struct quectel_qiact a;
	struct quectel_qigeterror e;
	struct quectel_keepalive k;

	check_all(line);
	if (quectel_parse_qiopen_urc(line, &o) == 0) {
		quectel_error_class(o.err);
		quectel_error_name(o.err);
	}
	quectel_parse_qisend_info(line, &si);
	quectel_parse_qird_info(line, &ri);
	quectel_qird_len(line);
	quectel_parse_qiact(line, &a);
	if (quectel_parse_qigeterror(line, &e) == 0) {
		quectel_error_class(e.code);
		quectel_error_name(e.code);
	}
	quectel_parse_qicfg_keepalive(line, &k);
	quectel_is_manufacturer(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line;

	if (size > 8192)
		return 0;
	line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	parse_all(line);
	free(line);
	return 0;
}
