/* Dialect detection from the manufacturer's name. */
#include "config.h"

#include <strings.h>

#include "dialect/detect.h"
#include "dialect/gsm.h"
#include "dialect/quectel/quectel_parse.h"

void
dialect_ask_manufacturer(struct at *at, int legacy, dialect_cb *cb, void *arg)
{
	dialect_one(at, legacy ? "AT+GMI" : "AT+CGMI", &gsm_ans_manufacturer, 0, 0, cb, arg);
}

/* "Telit", "Telit Wireless Solutions", "TELIT": a word, not a prefix of one. */
static int
dialect_is_telit(const char *name)
{
	while (*name == ' ')
		name++;
	return strncasecmp(name, "telit", 5) == 0 &&
	    (name[5] == '\0' || name[5] == ' ' || name[5] == '_');
}

const struct dialect_ops *
dialect_for_manufacturer(const char *manufacturer)
{
	if (quectel_is_manufacturer(manufacturer))
		return &dialect_quectel;
	if (dialect_is_telit(manufacturer))
		return &dialect_telit;
	return NULL;
}
