/* The Quectel personality: BG96, EC25 and EG25 modules with the TCP/IP
 * command set (+QICSGP, +QIACT, +QIOPEN, +QISEND, +QIRD, +QICLOSE) in
 * buffer access mode, the +QIURC URCs, and their firmware profiles. */
#ifndef MODEMSIM_QUECTEL_H
#define MODEMSIM_QUECTEL_H

#include "modemsim/core/personality.h"

extern const struct sim_personality quectel_personality;

#endif
