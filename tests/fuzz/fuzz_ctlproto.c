/* libFuzzer target: the control protocol's request parser and value codec. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	return 0;
}
