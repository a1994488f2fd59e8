/* A link's last error and its time: set from every file of the link module
 * (a leaf, so that they do not call each other in a cycle); link.c clears it
 * when the link is up. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "link/link.h"
#include "util.h"

void
link_set_error(struct link *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_set_error(l->last_error, sizeof(l->last_error), &l->last_error_at, fmt, ap);
	va_end(ap);
}
