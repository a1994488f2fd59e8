/* Parsers and checks of the values that are more than a plain type. */
#ifndef CELLSOCK_CONF_VALUE_H
#define CELLSOCK_CONF_VALUE_H

#include "conf/conf_walk.h"

conf_parse_fn conf_parse_baudrate;	/* modem.baudrate: a standard rate */
conf_parse_fn conf_parse_level;		/* log.level: a level name */
conf_parse_fn conf_parse_mode;		/* control.mode: "0660" */
conf_parse_fn conf_parse_init;		/* modem.init: AT command strings */
conf_parse_fn conf_parse_idle;		/* keepalive.idle: seconds or "auto" */
conf_parse_fn conf_parse_gap;		/* modem.command_gap: same */
conf_parse_fn conf_parse_probe;		/* keepalive.probe: hex or "" */
conf_parse_fn conf_parse_reply;		/* keepalive.reply: hex or "any" */

/* Free n strings and the vector. */
void conf_strv_free(char **v, int n);

/* String checks for struct conf_key.check: NULL, or why v is bad. */
const char *conf_check_path(const char *v);
conf_parse_fn conf_parse_ports;	/* modem.ports: a list of device paths */
const char *conf_check_hook(const char *v);
const char *conf_check_textfile(const char *v);
const char *conf_check_socket(const char *v);
const char *conf_check_linkname(const char *v);
const char *conf_check_group(const char *v);
const char *conf_check_host(const char *v);
const char *conf_check_apn(const char *v);
const char *conf_check_user(const char *v);
const char *conf_check_pin(const char *v);

#endif
