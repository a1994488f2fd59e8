/* Inside the control commands: the fault handlers fault.c's table names,
 * and the argument helpers they share. */
#ifndef MODEMSIM_FAULT_ACT_H
#define MODEMSIM_FAULT_ACT_H

#include <stddef.h>

#include "proto.h"	/* needs <stddef.h> first */

struct sim;
struct sock;
struct evbuffer;

/* A failed control command: the proto error and a message. */
struct fault_err {
	enum proto_err code;
	char msg[256];
};

typedef int fault_fn(struct sim *sim, const struct proto_request *req, struct evbuffer *out,
    struct fault_err *err);

/* Set err; returns -1. */
int fault_fail(struct fault_err *err, enum proto_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A decimal number within [min, max]; -1 if it is not one. */
int fault_number(const char *s, long min, long max, long *out);

fault_fn fault_drop, fault_rst, fault_fin, fault_nat_timeout, fault_hang, fault_unhang;
fault_fn fault_garbage, fault_urc, fault_urc_mid, fault_storm, fault_deregister;
fault_fn fault_register, fault_pdp_drop, fault_reboot, fault_error, fault_lose_mute;
fault_fn fault_delay, fault_jam, fault_unjam, fault_signal;

#endif
