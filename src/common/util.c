#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* Append one escaped byte to out at *pos; returns 0 when it did not fit. */
static int
escape_one(unsigned char c, char *out, size_t outsz, size_t *pos)
{
	char tmp[5];

	switch (c) {
	case '\r': strcpy(tmp, "\\r"); break;
	case '\n': strcpy(tmp, "\\n"); break;
	case '\t': strcpy(tmp, "\\t"); break;
	case '\\': strcpy(tmp, "\\\\"); break;
	case 0x1a: strcpy(tmp, "^Z"); break;
	default:
		if (isprint(c))
			snprintf(tmp, sizeof(tmp), "%c", c);
		else
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
	}
	if (*pos + strlen(tmp) + 4 > outsz)
		return 0;
	memcpy(out + *pos, tmp, strlen(tmp));
	*pos += strlen(tmp);
	return 1;
}

void
util_escape(const void *buf, size_t len, char *out, size_t outsz)
{
	const unsigned char *p = buf;
	size_t pos = 0;

	if (outsz == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		if (!escape_one(p[i], out, outsz, &pos)) {
			if (outsz >= 4) {
				memcpy(out + pos, "...", 3);
				pos += 3;
			}
			break;
		}
	}
	out[pos < outsz ? pos : outsz - 1] = '\0';
}

uint64_t
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct timeval
util_tv_from_sec(double sec)
{
	struct timeval tv;

	if (sec < 0)
		sec = 0;
	tv.tv_sec = (time_t)sec;
	tv.tv_usec = (suseconds_t)((sec - (double)tv.tv_sec) * 1e6);
	return tv;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
util_hex_decode(const char *hex, uint8_t *out, size_t outsz)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 != 0 || n / 2 > outsz)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

void
util_set_error(char *buf, size_t size, time_t *at, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg) < size ? sizeof(msg) : size, fmt, ap);
	snprintf(buf, size, "%s", msg);
	*at = time(NULL);
}
