/* The journald sink of log.c: when systemd connected stderr to the journal
 * (JOURNAL_STREAM names its device and inode), messages go through
 * sd_journal_sendv() with PRIORITY=, MESSAGE= and the caller's fields
 * (LINK=, STATE=, ...). In its own file so that only the programs that call
 * log_journal_detect() link libsystemd. */
#include "config.h"

#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The entries name the log call site, not this file. */
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>

#include "log.h"

#define LOG_JOURNAL_FIELDS_MAX 8

/* Send one entry; fields past LOG_JOURNAL_FIELDS_MAX are dropped. */
static int
log_journal_send(int level, const char *msg, const struct log_field *fields)
{
	char prio[16], ident[64], text[2100], kv[LOG_JOURNAL_FIELDS_MAX][320];
	struct iovec iov[3 + LOG_JOURNAL_FIELDS_MAX];
	int n = 0;

	snprintf(prio, sizeof(prio), "PRIORITY=%d", level);
	snprintf(ident, sizeof(ident), "SYSLOG_IDENTIFIER=%s", program_invocation_short_name);
	snprintf(text, sizeof(text), "MESSAGE=%s", msg);
	iov[n++] = (struct iovec){ .iov_base = prio, .iov_len = strlen(prio) };
	iov[n++] = (struct iovec){ .iov_base = ident, .iov_len = strlen(ident) };
	iov[n++] = (struct iovec){ .iov_base = text, .iov_len = strlen(text) };
	for (int i = 0; fields != NULL && fields[i].key != NULL && i < LOG_JOURNAL_FIELDS_MAX; i++) {
		snprintf(kv[i], sizeof(kv[i]), "%s=%s", fields[i].key,
		    fields[i].value != NULL ? fields[i].value : "");
		iov[n++] = (struct iovec){ .iov_base = kv[i], .iov_len = strlen(kv[i]) };
	}
	return sd_journal_sendv(iov, n) < 0 ? -1 : 0;
}

/* Whether JOURNAL_STREAM ("DEV:INODE") is the file stderr is open on. */
static int
log_journal_is_stderr(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int end = 0;

	if (env == NULL || sscanf(env, "%llu:%llu%n", &dev, &ino, &end) != 2 || env[end] != '\0')
		return 0;
	if (fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

int
log_journal_detect(void)
{
	if (!log_journal_is_stderr())
		return 0;
	log_set_sink(log_journal_send);
	return 1;
}
