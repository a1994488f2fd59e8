/* The Telit dialect tables: see telit.h. */
#include "config.h"

#include <stddef.h>

#include "at/mask.h"
#include "dialect/telit/telit.h"

/* +CMEE=2 wording. Matching ignores case, spaces and punctuation, so
 * "timeout in opening socket" and "cannot open socket" match too. */
static const struct at_cme_def telit_cme[] = {
	{ TELIT_CME_GENERIC, "generic undocumented error" },
	{ TELIT_CME_WRONG_STATE, "wrong state" },
	{ TELIT_CME_WRONG_MODE, "wrong mode" },
	{ TELIT_CME_CONTEXT_ACTIVE, "context already activated" },
	{ TELIT_CME_STACK_ACTIVE, "stack already active" },
	{ TELIT_CME_ACTIVATION_FAILED, "activation failed" },
	{ TELIT_CME_CONTEXT_NOT_OPENED, "context not opened" },
	{ TELIT_CME_SETUP_SOCKET, "can not setup socket" },
	{ TELIT_CME_RESOLVE_DN, "can not resolve DN" },
	{ TELIT_CME_OPEN_TIMEOUT, "time-out in opening socket" },
	{ TELIT_CME_OPEN_SOCKET, "can not open socket" },
	{ TELIT_CME_REMOTE_DISCONNECTED, "remote disconnected or time-out" },
	{ TELIT_CME_CONNECTION_FAILED, "connection failed" },
	{ TELIT_CME_TX_ERROR, "tx error" },
	{ TELIT_CME_ALREADY_LISTENING, "already listening" },
	{ TELIT_CME_SOCKET_DISCONNECTION, "socket disconnection" },
	{ TELIT_CME_CANNOT_RESUME, "can not resume socket" },
	{ TELIT_CME_IP_VERSION, "ip version type incompatible" },
	{ TELIT_CME_IPV6_DISABLED, "ipv6 not enabled" },
};

/* Commands with secrets beyond the 3GPP ones the engine knows (+QICSGP is
 * Quectel's: masked by the Quectel dialect). */
static const struct at_mask_rule telit_masks[] = {
	{ "#SGACT=", AT_MASK_ARG(4) },
	{ "#PDPAUTH=", AT_MASK_ARG(4) },
};

const struct at_dialect telit_dialect = {
	.name = "telit",
	.finals = NULL,
	.n_finals = 0,
	.cme = telit_cme,
	.n_cme = sizeof(telit_cme) / sizeof(telit_cme[0]),
	.masks = telit_masks,
	.n_masks = sizeof(telit_masks) / sizeof(telit_masks[0]),
};

const char *const telit_urc_prefixes[] = {
	"SRING:",		/* also matches "SRING : " */
	"+SRING:",		/* also matches "+SRING : " */
	"NO CARRIER",		/* with or without ": id[,cause]" */
	"+CREG:",
	"+CGREG:",
	"+CEREG:",
	"#SL:",
	"#SKTL:",
	"DISCONNECTED",
	NULL,
};
