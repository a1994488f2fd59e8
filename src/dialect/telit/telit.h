/* The Telit dialect of the AT engine: its +CME ERROR table (IP stack codes
 * 550..568, never shared with Quectel's different meanings of the same
 * numbers), its commands with secrets and the URC prefixes a Telit module
 * sends. */
#ifndef CELLSOCK_DIALECT_TELIT_H
#define CELLSOCK_DIALECT_TELIT_H

#include "at/result.h"

extern const struct at_dialect telit_dialect;

/* Telit IP-stack error numbers (AT+CMEE=1), AT reference 80617ST10991A. */
enum telit_cme {
	TELIT_CME_GENERIC = 550,
	TELIT_CME_WRONG_STATE = 551,
	TELIT_CME_WRONG_MODE = 552,
	TELIT_CME_CONTEXT_ACTIVE = 553,
	TELIT_CME_STACK_ACTIVE = 554,
	TELIT_CME_ACTIVATION_FAILED = 555,
	TELIT_CME_CONTEXT_NOT_OPENED = 556,
	TELIT_CME_SETUP_SOCKET = 557,
	TELIT_CME_RESOLVE_DN = 558,
	TELIT_CME_OPEN_TIMEOUT = 559,
	TELIT_CME_OPEN_SOCKET = 560,
	TELIT_CME_REMOTE_DISCONNECTED = 561,
	TELIT_CME_CONNECTION_FAILED = 562,
	TELIT_CME_TX_ERROR = 563,
	TELIT_CME_ALREADY_LISTENING = 564,
	TELIT_CME_SOCKET_DISCONNECTION = 565,
	TELIT_CME_CANNOT_RESUME = 566,
	TELIT_CME_IP_VERSION = 567,
	TELIT_CME_IPV6_DISABLED = 568,
};

/* NULL-terminated URC prefixes: SRING (all spellings), NO CARRIER,
 * +CREG/+CGREG/+CEREG, #SL/#SKTL ABORTED, DISCONNECTED. */
extern const char *const telit_urc_prefixes[];

#endif
