/* Telit's own general commands: ATI texts, +CGMI, #SWPKGV, #CCID, #SELINT. */
#include "config.h"

#include <string.h>

#include "modemsim/core/cmd_std.h"
#include "modemsim/core/modem.h"
#include "modemsim/core/profile.h"
#include "telit_cmd.h"

enum at_res
telit_ati(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	switch (cmd_value(cmd, a, 0, 9, 0)) {
	case 0:
	case 4:
		modem_info(m, "%s", m->prof->model);
		return RES_OK;
	case 1:
		modem_info(m, "A5C3");
		return RES_OK;
	case 2:
		return RES_OK;
	case 3:
		modem_info(m, "Telit");
		return RES_OK;
	case 5:
		modem_info(m, "%s", m->prof->revision);
		return RES_OK;
	default:
		return RES_ERROR;
	}
}

enum at_res
telit_cgmi(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_ident(m, cmd, "Telit");
}

/* Four lines without a prefix: package-params, modem FW, params, app FW. */
enum at_res
telit_swpkgv(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	if (cmd->type != AT_EXEC)
		return RES_ERROR;
	modem_info(m, "%s-%s", telit_fw(m)->package, telit_fw(m)->params);
	modem_info(m, "%s", m->prof->revision);
	modem_info(m, "%s", telit_fw(m)->params);
	modem_info(m, "%s", telit_fw(m)->appfw);
	return RES_OK;
}

enum at_res
telit_ccid(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	char iccid[21];

	if (cmd->type != AT_EXEC)
		return RES_ERROR;
	memcpy(iccid, "8900101", 7);
	cmd_digits(m, 3, iccid + 7, 12);
	modem_info(m, "#CCID: %s", iccid);
	return RES_OK;
}

enum at_res
telit_selint(struct modem *m, const struct at_cmd *cmd, const struct at_args *a)
{
	return cmd_setting(m, cmd, a, &telit_st(m)->selint, 0, 2);
}
