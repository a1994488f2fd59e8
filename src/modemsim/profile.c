#include "config.h"

#include <string.h>

#include "profile.h"

const struct profile profile_table[] = {
	{
		.name = "he910-12.00.004",
		.model = "HE910",
		.revision = "12.00.004",
		.package = "12.00.004-B004",
		.params = "A0.000004",
		.appfw = "12.00.004",
		.description = "HE910 with the teardown bug of seed 000 (deferred FIN, stack jam)",
		.line_max = 80,
		.ss_max_state = 5,
		.act = 2,
		.has_cereg = 0,
		.has_nocarrier_mode = 0,
		.has_scfgext3 = 0,
		.deferred_close = 1,
		.sgact_needs_socket = 1,
		.ssend_max = 1024,
		.ssend_excess_error = 0,
	},
	{
		.name = "he910-12.00.006",
		.model = "HE910",
		.revision = "12.00.006",
		.package = "12.00.006-B006",
		.params = "A0.000006",
		.appfw = "12.00.006",
		.description = "HE910 with the fixed firmware: #SH closes before answering (default)",
		.line_max = 80,
		.ss_max_state = 5,
		.act = 2,
		.has_cereg = 0,
		.has_nocarrier_mode = 0,
		.has_scfgext3 = 0,
		.deferred_close = 0,
		.sgact_needs_socket = 1,
		.ssend_max = 1024,
		.ssend_excess_error = 0,
	},
	{
		.name = "le910",
		.model = "LE910-EU V2",
		.revision = "20.00.412",
		.package = "20.00.412-B041",
		.params = "A0.000041",
		.appfw = "20.00.412",
		.description = "LE910 V2: #SS states 6/7, NO CARRIER: <id>,<cause>, #SCFGEXT3, +CEREG",
		.line_max = 400,
		.ss_max_state = 7,
		.act = 7,
		.has_cereg = 1,
		.has_nocarrier_mode = 1,
		.has_scfgext3 = 1,
		.deferred_close = 0,
		.ssend_max = 1500,
		.ssend_excess_error = 1,
	},
};

const int profile_count = (int)(sizeof(profile_table) / sizeof(profile_table[0]));

const struct profile *
profile_find(const char *name)
{
	for (int i = 0; i < profile_count; i++)
		if (strcmp(profile_table[i].name, name) == 0)
			return &profile_table[i];
	return NULL;
}
