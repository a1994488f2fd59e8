/* The Telit firmwares the simulator plays: one row each of what the core
 * acts on (struct profile) and of Telit's own details (struct telit_fw). */
#include "config.h"

#include "modemsim/core/profile.h"
#include "telit_cmd.h"

/* package, params, appfw, ss_max_state, has_nocarrier_mode, has_scfgext3,
 * sgact_needs_socket (HE910 HSPA+ guide), has_ss_id (UC864 rev7: no
 * AT#SS=<connId>) */
static const struct telit_fw telit_fws[TELIT_NPROFILES] = {
	{ "12.00.004-B004", "A0.000004", "12.00.004", 5, 0, 0, 1, 1 },
	{ "12.00.006-B006", "A0.000006", "12.00.006", 5, 0, 0, 1, 1 },
	{ "20.00.412-B041", "A0.000041", "20.00.412", 7, 1, 1, 0, 1 },
	{ "08.01.108-B001", "A0.000001", "08.01.108", 5, 0, 0, 0, 0 },
};

/* name, model, revision, description, line_max, act, has_cereg,
 * deferred_close, send_max, send_excess_error, vendor */
const struct profile telit_profiles[TELIT_NPROFILES] = {
	{ "he910-12.00.004", "HE910", "12.00.004",
	    "HE910 with the teardown bug of seed 000 (deferred FIN, stack jam)",
	    80, 2, 0, 1, 1024, 0, &telit_fws[0] },
	{ "he910-12.00.006", "HE910", "12.00.006",
	    "HE910 with the fixed firmware: #SH closes before answering (default)",
	    80, 2, 0, 0, 1024, 0, &telit_fws[1] },
	{ "le910", "LE910-EU V2", "20.00.412",
	    "LE910 V2: #SS states 6/7, NO CARRIER: <id>,<cause>, #SCFGEXT3, +CEREG",
	    400, 7, 1, 0, 1500, 1, &telit_fws[2] },
	{ "uc864", "UC864-E", "08.01.108",
	    "UC864: bare AT#SS only (AT#SS=<id> is ERROR), 80-character command line, "
	    "otherwise as HE910",
	    80, 2, 0, 0, 1024, 0, &telit_fws[3] },
};
