/* Faults armed on AT commands: "error", "delay", "lose" and "mute" lists. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "modem.h"
#include "xmalloc.h"

void
modem_norm_name(const char *in, char *out, size_t outsz)
{
	size_t i = 0;

	if (strlen(in) > 2 && strncasecmp(in, "AT", 2) == 0)
		in += 2;
	for (; in[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (char)toupper((unsigned char)in[i]);
	out[i] = '\0';
}

struct cmd_fault *
modem_find_fault(struct cmd_fault_list *list, const char *name)
{
	struct cmd_fault *f;

	TAILQ_FOREACH(f, list, entry)
		if (strcmp(f->name, name) == 0 || strcmp(f->name, "*") == 0)
			return f;
	return NULL;
}

static struct cmd_fault *
modem_arm_count(struct cmd_fault_list *list, const char *cmd, int count)
{
	struct cmd_fault *f = xcalloc(1, sizeof(*f));

	modem_norm_name(cmd, f->name, sizeof(f->name));
	f->count = count;
	TAILQ_INSERT_TAIL(list, f, entry);
	return f;
}

void
modem_arm_error(struct modem *m, const char *cmd, int code, int count)
{
	modem_arm_count(&m->errors, cmd, count)->code = code;
}

void
modem_fault_used(struct cmd_fault_list *list, struct cmd_fault *f)
{
	if (f->count > 0 && --f->count == 0) {
		TAILQ_REMOVE(list, f, entry);
		free(f);
	}
}

void
modem_arm_loss(struct modem *m, const char *cmd, int count)
{
	modem_arm_count(&m->losses, cmd, count);
}

void
modem_arm_mute(struct modem *m, const char *cmd, int count)
{
	modem_arm_count(&m->mutes, cmd, count);
}

void
modem_set_delay(struct modem *m, const char *cmd, unsigned ms)
{
	char name[AT_NAME_MAX];
	struct cmd_fault *f;

	modem_norm_name(cmd, name, sizeof(name));
	TAILQ_FOREACH(f, &m->delays, entry)
		if (strcmp(f->name, name) == 0)
			break;
	if (f == NULL && ms == 0)
		return;
	if (f == NULL) {
		f = xcalloc(1, sizeof(*f));
		snprintf(f->name, sizeof(f->name), "%s", name);
		TAILQ_INSERT_TAIL(&m->delays, f, entry);
	}
	f->ms = ms;
	if (ms == 0) {
		TAILQ_REMOVE(&m->delays, f, entry);
		free(f);
	}
}

void
modem_free_faults(struct cmd_fault_list *list)
{
	struct cmd_fault *f;

	while ((f = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, f, entry);
		free(f);
	}
}
