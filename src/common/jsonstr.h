/* JSON string literals shared by the daemon (typed replies) and the CLI:
 * quotes, backslashes and control bytes escaped, valid UTF-8 kept, every
 * byte that is not part of a well-formed UTF-8 sequence written as \ufffd,
 * so the result is always valid JSON whatever the input bytes were. */
#ifndef CELLSOCK_JSONSTR_H
#define CELLSOCK_JSONSTR_H

#include <stddef.h>

/* Bytes json_quote() needs for a string of len bytes, NUL included. */
#define JSON_QUOTED_MAX(len) (6 * (len) + 3)

/* Write s as a JSON string literal (with its quotes) into out, which must
 * hold JSON_QUOTED_MAX(strlen(s)) bytes. Returns the length written. */
size_t json_quote(const char *s, char *out);
/* Length of the well-formed UTF-8 sequence at p (RFC 3629), 0 if none. */
int json_utf8_len(const unsigned char *p);

#endif
