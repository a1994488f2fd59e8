/* How the Quectel dialect reads the answer to each of its TCP/IP commands
 * (descriptors for dialect/batch.h; the parsers are quectel_parse.h). The
 * 3GPP answers (identity, SIM, registration, signal) are dialect/gsm.h. */
#ifndef CELLSOCK_DIALECT_QUECTEL_ANSWER_H
#define CELLSOCK_DIALECT_QUECTEL_ANSWER_H

#include "dialect/batch.h"
#include "dialect/dialect.h"

/* AT+QIACT?: u.pdp of context id (plain OK: not active). */
extern const struct dialect_answer quectel_ans_qiact;
/* AT+QIACT? after AT+QIACT=<id>: the same, and the context active makes the
 * batch succeed even if the activation was refused (already active). */
extern const struct dialect_answer quectel_ans_qiact_after;
/* AT+QISTATE=1,<id>: u.sock; no line for id is SOCK_CLOSED. */
extern const struct dialect_answer quectel_ans_qistate;
/* AT+QIRD=<id>,0 after QISTATE: SOCK_CONNECTED with unread bytes becomes
 * SOCK_CONNECTED_DATA. */
extern const struct dialect_answer quectel_ans_qird_unread;
/* AT+QISEND=<id>,0 and AT+QIRD=<id>,0: u.info (sent/ack_waiting and
 * received/buff_in). */
extern const struct dialect_answer quectel_ans_qisend_info, quectel_ans_qird_info;
/* AT+QIRD=<id>,<len>: u.recv, the raw bytes after "+QIRD: <n>". */
extern const struct dialect_answer quectel_ans_qird;
/* AT+QISEND=<id>,<len>: prompt, payload, SEND OK / SEND FAIL. */
extern const struct dialect_answer quectel_ans_send;
/* AT+QIGETERROR: u.closure (570, the context broke down: CLOSURE_PDP). */
extern const struct dialect_answer quectel_ans_qigeterror;
/* AT+QIOPEN=...: OK only says the open started (see quectel_dial.h); an
 * error is classified by its 5xx number. */
extern const struct dialect_answer quectel_ans_qiopen;

/* The supervisor's socket state for a +QISTATE socket_state. Closing (4:
 * after "closed", until AT+QICLOSE) is SOCK_OTHER: neither usable nor
 * closed, so it is closed again and never reused before it reads 0. */
enum sock_state quectel_sock_state(int state);

#endif
