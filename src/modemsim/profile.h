/* Firmware profiles: what differs between the modules the simulator plays. */
#ifndef MODEMSIM_PROFILE_H
#define MODEMSIM_PROFILE_H

struct profile {
	const char *name;		/* --firmware token: "he910-12.00.004" */
	const char *model;		/* +CGMM: "HE910" */
	const char *revision;		/* +CGMR: "12.00.004" */
	const char *package;		/* #SWPKGV line 1 */
	const char *params;		/* #SWPKGV line 3: production parameters */
	const char *appfw;		/* #SWPKGV line 4 */
	const char *description;	/* one line for --help and the man page */
	int line_max;			/* command-line buffer, characters after "AT" */
	int ss_max_state;		/* highest #SS state: 5 (HE910) or 7 (LE910) */
	int act;			/* access technology: 2 UTRAN, 7 E-UTRAN */
	int has_cereg;			/* +CEREG exists (LTE parts) */
	int has_nocarrier_mode;		/* #SCFGEXT2 takes a 6th parameter */
	int has_scfgext3;		/* #SCFGEXT3 exists (immRsp) */
	int deferred_close;		/* 12.00.004: #SH answers at once, FIN later */
	int sgact_needs_socket;		/* #SGACT: ERROR unless #SCFG ties a socket to the cid */
	int ssend_max;			/* #SSEND/#SSENDEXT payload limit */
	int ssend_excess_error;		/* #SSEND beyond the limit: 1 ERROR, 0 dropped */
};

extern const struct profile profile_table[];
extern const int profile_count;
#define PROFILE_DEFAULT "he910-12.00.006"

/* The profile named name, or NULL. */
const struct profile *profile_find(const char *name);

#endif
