/* libFuzzer target: the control protocol's request parser and value codec. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstr.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A JSON string literal of any bytes: within its bound, quoted, no raw
 * control byte and only well-formed UTF-8 inside. */
static void
json_check(const uint8_t *data, size_t n)
{
	static char in[PROTO_LINE_MAX + 1], out[JSON_QUOTED_MAX(PROTO_LINE_MAX)];
	size_t len;

	memcpy(in, data, n);
	in[n] = '\0';
	len = json_quote(in, out);
	if (len > JSON_QUOTED_MAX(strlen(in)) - 1 || out[0] != '"' || out[len - 1] != '"')
		abort();
	for (size_t i = 0; i < len;) {
		int k = json_utf8_len((const unsigned char *)out + i);
		if (k == 0 || (unsigned char)out[i] < 0x20)
			abort();
		i += (size_t)k;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct proto_request req;
	char enc[PROTO_LINE_MAX * 3 + 1], copy[PROTO_LINE_MAX + 1];
	size_t n = size < PROTO_LINE_MAX ? size : PROTO_LINE_MAX;

	if (proto_parse_request((const char *)data, size, &req) == PROTO_PARSE_OK) {
		for (int i = 0; i < req.argc; i++)
			(void)proto_rest(&req, i);
	}
	memcpy(copy, data, n);
	copy[n] = '\0';
	proto_value_encode(copy, enc, sizeof(enc));
	proto_value_decode(enc);
	if (strcmp(enc, copy) != 0)
		abort();	/* decode(encode(x)) must give x back */
	proto_value_decode(copy);
	json_check(data, n);
	return 0;
}
