#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "notify.h"

void
notify_event(const struct notify *n, enum proto_event ev, const char *fmt, ...)
{
	char line[1024];
	int len;
	va_list ap;

	len = snprintf(line, sizeof(line), "EVENT %s", proto_event_names[ev]);
	if (fmt != NULL && *fmt != '\0' && len > 0 && (size_t)len < sizeof(line) - 1) {
		line[len++] = ' ';
		va_start(ap, fmt);
		vsnprintf(line + len, sizeof(line) - (size_t)len, fmt, ap);
		va_end(ap);
	}
	log_debug("%s", line);
	if (n != NULL && n->event != NULL)
		n->event(n->arg, ev, line);
}

void
notify_status(const struct notify *n)
{
	if (n != NULL && n->status != NULL)
		n->status(n->arg);
}
