/* The control protocol shared by cellsockd and cellsockctl: names of link
 * states, events, causes and error codes live here, next to their enums. */
#ifndef CELLSOCK_PROTO_H
#define CELLSOCK_PROTO_H

#include <stddef.h>

#define PROTO_LINE_MAX 4096	/* longest request line, including the newline */
#define PROTO_ARGS_MAX 16	/* words in one request */
#define PROTO_DEFAULT_SOCKET RUNSTATEDIR "/cellsock/control.sock"

enum link_state {
	LINK_IDLE,
	LINK_WAITING,
	LINK_CONNECTING,
	LINK_UP,
	LINK_CLOSING,
	LINK_BACKOFF,
	LINK_RECOVERING,
	LINK_STATE_COUNT
};

enum proto_event {
	EV_LINK_STATE,
	EV_LINK_DEAD,
	EV_ESCALATION,
	EV_MODEM_STATE,
	EV_DATA_LOSS,
	EV_CONFIG_RELOADED,
	EV_COUNT
};

enum dead_cause {
	CAUSE_PROBE_TIMEOUT,
	CAUSE_ACK_STALL,
	CAUSE_REMOTE_CLOSE,
	CAUSE_REMOTE_RESET,
	CAUSE_PDP_LOST,
	CAUSE_MODEM_ERROR,
	CAUSE_MODEM_GONE,
	CAUSE_OPERATOR,
	CAUSE_UNPROBED,		/* the deadline passed before a probe could go out */
	CAUSE_COUNT
};

enum escalation_step {
	STEP_PDP_CYCLE,
	STEP_RADIO_CYCLE,
	STEP_MODEM_REBOOT,
	STEP_HOOK,
	STEP_COUNT
};

/* Error codes on the terminal "ERR <code> <message>" line. */
enum proto_err {
	ERR_USAGE,
	ERR_UNKNOWN_COMMAND,
	ERR_PERMISSION,
	ERR_NOT_AVAILABLE,
	ERR_NO_SUCH_LINK,
	ERR_LINE_TOO_LONG,
	ERR_BAD_REQUEST,
	ERR_FAILED,
	ERR_BUSY,
	ERR_COUNT
};

extern const char *const link_state_names[LINK_STATE_COUNT];
extern const char *const proto_event_names[EV_COUNT];
extern const char *const dead_cause_names[CAUSE_COUNT];
extern const char *const escalation_step_names[STEP_COUNT];
extern const char *const proto_err_names[ERR_COUNT];

/* A parsed request line: words split on blanks, at most PROTO_ARGS_MAX. */
struct proto_request {
	int argc;
	char *argv[PROTO_ARGS_MAX];
	size_t off[PROTO_ARGS_MAX];	/* where each word starts in raw */
	char buf[PROTO_LINE_MAX];
	char raw[PROTO_LINE_MAX];	/* the line as received, for "rest of line" args */
};

enum proto_parse_result {
	PROTO_PARSE_OK,
	PROTO_PARSE_EMPTY,	/* blank line: ignored */
	PROTO_PARSE_TOO_LONG,
	PROTO_PARSE_TOO_MANY_ARGS,
	PROTO_PARSE_BINARY,	/* NUL or control bytes */
};

/* Split one request line (without its newline) into words. The caller owns req. */
enum proto_parse_result proto_parse_request(const char *line, size_t len,
    struct proto_request *req);
/* The request from word i to the end of the line, blanks kept ("" if none). */
const char *proto_rest(const struct proto_request *req, int i);
/* Reply records are "TYPE key=value ..." lines; values are encoded so they hold
 * no blanks: '%', blanks and control bytes become %XX. out must hold 3*len+1. */
void proto_value_encode(const char *in, char *out, size_t outsz);
/* Decode in place; returns the decoded string. */
char *proto_value_decode(char *s);
/* Decode %XX escapes of in into out (binary-safe: %00 gives a NUL byte).
 * Returns the number of bytes, -1 if out is too small, or
 * PROTO_BYTES_MALFORMED if a '%' is not followed by two hex digits (a
 * literal '%' is written %25). */
#define PROTO_BYTES_MALFORMED (-2)
long proto_bytes_decode(const char *in, unsigned char *out, size_t outsz);
/* Look a name up in one of the name arrays above; -1 if absent. */
int proto_lookup(const char *const *names, int count, const char *name);

#endif
