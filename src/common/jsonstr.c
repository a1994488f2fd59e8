#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jsonstr.h"

int
json_utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

size_t
json_quote(const char *s, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	int n;

	out[o++] = '"';
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			o += (size_t)sprintf(out + o, "\\u%04x", *p++);
		} else if ((n = json_utf8_len(p)) == 0) {
			memcpy(out + o, "\\ufffd", 6);
			o += 6;
			p++;
		} else {
			memcpy(out + o, p, (size_t)n);
			o += (size_t)n;
			p += n;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}
