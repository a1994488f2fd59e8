/* The Quectel modules the simulator plays: one row each of what the core
 * acts on (struct profile) and of Quectel's own details (struct
 * quectel_fw). */
#include "config.h"

#include "modemsim/core/profile.h"
#include "quectel_cmd.h"

/* at_port, ka_idle_unit_s, ka_idle_max: the BG95/BG96 manual gives the
 * keepalive idle time in minutes (1-120); no EC2x manual was at hand, and an
 * EC25 driver's idle value of 2 reads as minutes too. The port names: the
 * BG96 profile is wired by its main UART (port 0); the EC25/EG25 profiles by
 * USB, port 0 the AT port (ttyUSB2), port 1 the modem port (ttyUSB3). */
static const struct quectel_fw quectel_fws[QUECTEL_NPROFILES] = {
	{ { "uart1", "usbat", "usbmodem" }, 60, 120 },
	{ { "usbat", "usbmodem", "uart1" }, 60, 120 },
	{ { "usbat", "usbmodem", "uart1" }, 60, 120 },
};

/* name, model, revision, description, line_max, act, has_cereg,
 * deferred_close, send_max, send_excess_error, vendor */
const struct profile quectel_profiles[QUECTEL_NPROFILES] = {
	{ "bg96", "BG96", "BG96MAR02A07M1G",
	    "Quectel BG96 (LTE Cat M1/NB-IoT) on its UART: RDY, +QIOPEN, buffer mode",
	    256, 8, 1, 0, QUECTEL_SEND_MAX, 1, &quectel_fws[0] },
	{ "ec25", "EC25", "EC25EFAR06A06M4G",
	    "Quectel EC25 (LTE Cat 4) on its USB AT port (then modem port)",
	    256, 7, 1, 0, QUECTEL_SEND_MAX, 1, &quectel_fws[1] },
	{ "eg25", "EG25", "EG25GGBR07A08M2G",
	    "Quectel EG25-G (LTE Cat 4) on its USB AT port (then modem port)",
	    256, 7, 1, 0, QUECTEL_SEND_MAX, 1, &quectel_fws[2] },
};
