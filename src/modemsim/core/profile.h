/* Firmware profiles: what differs between the modules a personality plays.
 * These fields are the ones the core acts on; the vendor keeps its own
 * details behind vendor (e.g. struct telit_fw). */
#ifndef MODEMSIM_PROFILE_H
#define MODEMSIM_PROFILE_H

struct profile {
	const char *name;		/* --firmware token: "he910-12.00.004" */
	const char *model;		/* +CGMM: "HE910" */
	const char *revision;		/* +CGMR: "12.00.004" */
	const char *description;	/* one line for --help and the man page */
	int line_max;			/* command-line buffer, characters after "AT" */
	int act;			/* access technology: 2 UTRAN, 7 E-UTRAN */
	int has_cereg;			/* +CEREG exists (LTE parts) */
	int deferred_close;		/* 12.00.004: the close answers at once, FIN later */
	int send_max;			/* payload limit of one send prompt */
	int send_excess_error;		/* a longer payload: 1 ERROR, 0 cut */
	const void *vendor;		/* the personality's own fields */
};

#endif
