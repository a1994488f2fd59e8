/* The Quectel dialect of the AT engine: its final results (SEND OK, SEND
 * FAIL), its +CME ERROR table (IP-stack codes 550..574, never shared with
 * Telit's different meanings of the same numbers) and its commands with
 * secrets (+QICSGP credentials). */
#ifndef CELLSOCK_DIALECT_QUECTEL_H
#define CELLSOCK_DIALECT_QUECTEL_H

#include "at/result.h"

extern const struct at_dialect quectel_dialect;

/* at_result.code of the dialect finals. */
enum quectel_final {
	QUECTEL_SEND_OK = 1,
	QUECTEL_SEND_FAIL = 2,		/* the module's send buffer is full */
};

#endif
