/* How the Telit dialect reads the answer to each kind of command: which
 * answer lines belong to it (prefixes), whether raw bytes follow, and the
 * reader that fills the supervisor's reply from a successful answer. One
 * descriptor per kind of answer; the operations in dialect_telit.c name
 * them, dialect/batch.c calls their readers. */
#ifndef CELLSOCK_DIALECT_TELIT_ANSWER_H
#define CELLSOCK_DIALECT_TELIT_ANSWER_H

#include "at/atq.h"
#include "dialect/batch.h"
#include "dialect/dialect.h"

extern const struct dialect_answer telit_ans_plain;	/* final result only */
extern const struct dialect_answer telit_ans_user;	/* configured command */
extern const struct dialect_answer telit_ans_manufacturer, telit_ans_model,
    telit_ans_firmware, telit_ans_imei, telit_ans_ssendext_test;
extern const struct dialect_answer telit_ans_cpin, telit_ans_reg, telit_ans_csq,
    telit_ans_cops;
extern const struct dialect_answer telit_ans_sgact_read, telit_ans_sgact_ip;
extern const struct dialect_answer telit_ans_dial, telit_ans_send, telit_ans_ss,
    telit_ans_si, telit_ans_srecv, telit_ans_slastclosure;

/* The supervisor's closure cause for a Telit cause number. */
enum sock_closure telit_closure(int cause);
/* Why a dial failed, from its +CME ERROR number (-1: none). */
enum dial_error telit_dial_error(int cme);

#endif
