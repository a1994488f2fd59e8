/* libFuzzer target: arbitrary bytes loaded as a configuration file. Checks
 * that loading never crashes or leaks and that its result is consistent:
 * either a configuration or at least one "fuzz.conf..." message. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 leaks the string token on which a syntax error is found
 * (e.g. 'a = 1 "y"' or 'a = 1 ""': allocated in its scanner). That is its
 * bug, not ours: leaks allocated inside libconfig are not reported. */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

/* What a configuration that loaded must always satisfy. */
static void
fuzz_check_conf(const struct conf *conf)
{
	const struct conf_link *l;
	int i;

	if (conf->modem.device == NULL || conf->n_links > CONF_MAX_LINKS)
		abort();
	for (i = 0; i < conf->n_links; i++) {
		l = &conf->links[i];
		if (l->name == NULL || l->host == NULL ||
		    conf_find_link(conf, l->name) != l)
			abort();
		if (l->socket < 0 || l->socket > CONF_QUECTEL_SOCKET_MAX || l->port < 1)
			abort();
		if ((l->local_kind == CONF_LOCAL_UNIX) !=
		    (l->local_path != NULL))
			abort();
		if ((l->local_kind == CONF_LOCAL_TCP) !=
		    (l->local_addr != NULL))
			abort();
		if (l->keepalive.probe_len > CONF_HEX_MAX ||
		    l->keepalive.reply_len > CONF_HEX_MAX)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors errs;
	struct conf *conf;
	char *text;
	int i;

	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	conf_errors_init(&errs);
	conf = conf_load_string(text, "fuzz.conf", &errs);
	if ((conf == NULL) == (errs.n == 0) || errs.n > CONF_ERRORS_MAX + 1)
		abort();
	for (i = 0; i < errs.n; i++)
		if (strncmp(errs.msgs[i], "fuzz.conf", 9) != 0)
			abort();
	if (conf != NULL)
		fuzz_check_conf(conf);
	conf_free(conf);
	conf_errors_free(&errs);
	free(text);
	return 0;
}
