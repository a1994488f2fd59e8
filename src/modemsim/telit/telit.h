/* The Telit personality: HE910 and LE910 modules with the IP Easy command
 * set, SRING and NO CARRIER URCs, and their firmware profiles. */
#ifndef MODEMSIM_TELIT_H
#define MODEMSIM_TELIT_H

#include "modemsim/core/personality.h"

extern const struct sim_personality telit_personality;

#endif
