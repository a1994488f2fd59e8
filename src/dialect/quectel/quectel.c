/* The Quectel dialect tables: see quectel.h. */
#include "config.h"

#include <stddef.h>

#include "at/mask.h"
#include "dialect/quectel/quectel.h"

/* AT+QISEND=<id>,<len> ends with one of these instead of OK/ERROR. */
static const struct at_final_def quectel_finals[] = {
	{ "SEND OK", AT_FINAL_DIALECT, 1, 0, QUECTEL_SEND_OK },
	{ "SEND FAIL", AT_FINAL_DIALECT, 0, 0, QUECTEL_SEND_FAIL },
};

/* +CMEE=2 wording of the IP-stack codes (TCP/IP application notes, error
 * code table); matching ignores case, spaces and punctuation. Where
 * firmware words it two ways both rows name the code. */
static const struct at_cme_def quectel_cme[] = {
	{ 550, "unknown error" },
	{ 551, "operation blocked" },
	{ 552, "invalid parameters" },
	{ 553, "memory not enough" },
	{ 554, "create socket failed" },
	{ 555, "operation not supported" },
	{ 556, "socket bind failed" },
	{ 557, "socket listen failed" },
	{ 558, "socket write failed" },
	{ 559, "socket read failed" },
	{ 560, "socket accept failed" },
	{ 561, "PDP context opening failed" },
	{ 561, "open PDP context failed" },	/* other firmware's wording */
	{ 562, "PDP context closure failed" },
	{ 562, "close PDP context failed" },
	{ 563, "socket identity has been used" },
	{ 564, "DNS busy" },
	{ 565, "DNS parse failed" },
	{ 566, "socket connect failed" },
	{ 567, "socket has been closed" },
	{ 568, "operation busy" },
	{ 569, "operation timeout" },
	{ 570, "PDP context broken down" },
	{ 571, "cancel sending" },
	{ 571, "cancel send" },
	{ 572, "operation not allowed" },
	{ 573, "APN not configured" },
	{ 574, "port busy" },
};

/* AT+QICSGP=<ctx>,<type>,"<apn>","<user>","<pwd>",<auth>: the credentials. */
static const struct at_mask_rule quectel_masks[] = {
	{ "+QICSGP=", AT_MASK_ARG(4) | AT_MASK_ARG(5) },
};

const struct at_dialect quectel_dialect = {
	.name = "quectel",
	.finals = quectel_finals,
	.n_finals = sizeof(quectel_finals) / sizeof(quectel_finals[0]),
	.cme = quectel_cme,
	.n_cme = sizeof(quectel_cme) / sizeof(quectel_cme[0]),
	.masks = quectel_masks,
	.n_masks = sizeof(quectel_masks) / sizeof(quectel_masks[0]),
};
