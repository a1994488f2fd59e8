/* A link's last error and its time: set from every file of the link module
 * (a leaf, so that they do not call each other in a cycle); link.c clears it
 * when the link is up. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "link/link.h"

void
link_set_error(struct link *l, const char *fmt, ...)
{
	char msg[sizeof(l->last_error)];	/* the arguments may be last_error itself */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(l->last_error, msg, sizeof(msg));
	l->last_error_at = time(NULL);
}
