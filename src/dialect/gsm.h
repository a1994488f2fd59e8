/* The 3GPP TS 27.007 answers every dialect shares (identity, SIM,
 * registration, signal): answer descriptors for dialect/batch.h, and the
 * registration URC reader. Vendor-neutral. The Quectel dialect uses them;
 * the Telit dialect still has its own readers over telit_parse.c (moving
 * them here is a later refactor). */
#ifndef CELLSOCK_DIALECT_GSM_H
#define CELLSOCK_DIALECT_GSM_H

#include "dialect/batch.h"

/* Only the final result counts; a configured command (the engine's rule). */
extern const struct dialect_answer gsm_ans_plain, gsm_ans_user;
/* +CGMI/+CGMM/+CGMR answers, bare or with their "+CGMx:" prefix. */
extern const struct dialect_answer gsm_ans_manufacturer, gsm_ans_model, gsm_ans_firmware;
/* +CGSN: 14..17 digits, bare, prefixed or quoted. */
extern const struct dialect_answer gsm_ans_imei;
/* +CPIN? into u.sim. */
extern const struct dialect_answer gsm_ans_cpin;
/* +CREG?/+CGREG?/+CEREG? into u.reg_stat (start it at -1): a registered
 * stat (1 home, 5 roaming) wins over an earlier one. */
extern const struct dialect_answer gsm_ans_reg;
/* +CSQ into u.signal.rssi/dbm, +COPS? into u.signal.oper. */
extern const struct dialect_answer gsm_ans_csq, gsm_ans_cops;

/* The 3GPP stat of a +CREG/+CGREG/+CEREG URC ("<stat>[,<lac>,<ci>...]"),
 * or -1. */
int gsm_reg_urc_stat(const char *args);

#endif
