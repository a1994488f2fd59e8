/* Small helpers shared by the daemon, the CLI and the simulator. */
#ifndef CELLSOCK_UTIL_H
#define CELLSOCK_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <sys/time.h>
#include <time.h>

/* Escape bytes for logs: printable ASCII as is, \r \n \t \\, ^Z for 0x1A,
 * \xNN otherwise. Always NUL-terminates out (truncating with "..."). */
void util_escape(const void *buf, size_t len, char *out, size_t outsz);
/* Monotonic clock in milliseconds. */
uint64_t util_now_ms(void);
/* Seconds (float) to a struct timeval. */
struct timeval util_tv_from_sec(double sec);
/* Format a last-error text into buf (the arguments may point into buf
 * itself) and stamp *at with the wall-clock time. */
void util_set_error(char *buf, size_t size, time_t *at, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
/* Parse a hex string ("FF", "0d0a") into bytes; returns length or -1. */
int util_hex_decode(const char *hex, uint8_t *out, size_t outsz);

#endif
