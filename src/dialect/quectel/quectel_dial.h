/* The Quectel operations that take more than one round: a dial completed
 * by its URC, and the module keepalive set from what AT+QICFG=? announces. */
#ifndef CELLSOCK_DIALECT_QUECTEL_DIAL_H
#define CELLSOCK_DIALECT_QUECTEL_DIAL_H

#include "dialect/dialect.h"

/* AT+QIOPEN=<cid>,<id>,"TCP","<host>",<port>,0,0 (buffer access mode). OK
 * only says the open started: the URC "+QIOPEN: <id>,<err>" answers (err 0:
 * DIALECT_OK; else DIALECT_ERROR, cme = err, u.dial classified), or
 * DIALECT_TIMEOUT when it has not come timeout_ms after the OK. An ERROR to
 * the command itself answers at once. If the engine is freed first, cb is
 * never called and nothing leaks (the wait lives in the URC registry). */
void quectel_dial(struct at *at, int connid, int cid, const char *host, int port,
    int timeout_ms, dialect_cb *cb, void *arg);

/* AT+QICFG=? learns the unit of the keepalive idle time (minutes on BG95,
 * seconds on other families) and the ranges, then
 * AT+QICFG="tcp/keepalive",1,<idle>,<interval>,<probes> (or ",0" when
 * keepalive_min is 0). A module that announces no tcp/keepalive is left
 * alone (a warning when one was asked for). */
void quectel_keepalive_set(struct at *at, int keepalive_min, dialect_cb *cb, void *arg);

#endif
