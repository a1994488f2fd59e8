/* Dialect detection: the manufacturer's name picks the dialect, and the
 * engine and the URC handlers follow the dialect picked. */
#include "config.h"

#include <stdio.h>
#include <strings.h>

#include "at/atq.h"
#include "dialect/batch.h"
#include "dialect/gsm.h"
#include "dialect/quectel/quectel_parse.h"
#include "log.h"
#include "modem/detect.h"
#include "modem/modem.h"

void
modem_ask_manufacturer(struct at *at, int legacy, dialect_cb *cb, void *arg)
{
	dialect_one(at, legacy ? "AT+GMI" : "AT+CGMI", &gsm_ans_manufacturer, 0, 0, cb, arg);
}

/* "Telit", "Telit Wireless Solutions", "TELIT": a word, not a prefix of one. */
static int
modem_is_telit(const char *name)
{
	while (*name == ' ')
		name++;
	return strncasecmp(name, "telit", 5) == 0 &&
	    (name[5] == '\0' || name[5] == ' ' || name[5] == '_');
}

/* The dialect of a manufacturer, or NULL for a name cellsock does not know. */
static const struct dialect_ops *
modem_dialect_of(const char *manufacturer)
{
	if (quectel_is_manufacturer(manufacturer))
		return &dialect_quectel;
	if (modem_is_telit(manufacturer))
		return &dialect_telit;
	return NULL;
}

/* The dialect is not known yet: every dialect's boot URC handler, so that
 * a ready URC sent during the resync is seen. */
void
modem_watch_boot(struct modem *m)
{
	static const struct dialect_ops *const all[] = { &dialect_telit, &dialect_quectel };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->watch_boot != NULL)
			all[i]->watch_boot(m->at, &m->listener);
}

void
modem_use_dialect(struct modem *m, const struct dialect_ops *ops, const char *reason)
{
	m->ops = ops;
	m->dialect_known = 1;
	snprintf(m->dialect_reason, sizeof(m->dialect_reason), "%s", reason);
	at_set_dialect(m->at, ops->at);
	ops->attach(m->at, &m->listener);
}

void
modem_pick_dialect(struct modem *m, const char *cmd, const char *manufacturer)
{
	const struct dialect_ops *ops = modem_dialect_of(manufacturer);
	char reason[sizeof(m->dialect_reason)];

	if (ops != NULL) {
		snprintf(reason, sizeof(reason), "auto: %s answered %.60s", cmd, manufacturer);
		log_info("modem: dialect %s (%s)", ops->name, reason);
	} else {
		ops = &dialect_telit;
		snprintf(reason, sizeof(reason), "auto: %s answered \"%.60s\", not a known "
		    "maker: trying telit", cmd, manufacturer);
		log_warnx("modem: %s; set modem.dialect to force one", reason);
	}
	modem_use_dialect(m, ops, reason);
}
