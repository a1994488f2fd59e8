/* Human units for cellsockctl's text output. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "human.h"

void
human_duration(double seconds, char *buf, size_t size)
{
	long long s;

	if (seconds < 0)
		seconds = 0;
	if (seconds < 10 && seconds != (double)(long long)seconds) {
		snprintf(buf, size, "%.1fs", seconds);
		return;
	}
	s = (long long)(seconds + 0.5);
	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

void
human_duration_text(const char *seconds, char *buf, size_t size)
{
	char *end;
	double v;

	if (seconds == NULL || *seconds == '\0') {
		snprintf(buf, size, "-");
		return;
	}
	v = strtod(seconds, &end);
	if (*end != '\0') {
		snprintf(buf, size, "%s", seconds);
		return;
	}
	human_duration(v, buf, size);
}

void
human_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t == 0) {
		snprintf(buf, size, "never");
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

void
human_age_text(const char *epoch, time_t now, char *buf, size_t size)
{
	long long t = epoch != NULL ? atoll(epoch) : 0;

	if (t <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	human_duration((double)(now > t ? now - t : 0), buf, size);
}

void
human_bytes_text(const char *bytes, char *buf, size_t size)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v;
	int u = 0;

	if (bytes == NULL || *bytes == '\0') {
		snprintf(buf, size, "-");
		return;
	}
	v = strtod(bytes, NULL);
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%.0f B", v);
	else
		snprintf(buf, size, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

int
human_colour_wanted(FILE *f)
{
	const char *no = getenv("NO_COLOR");

	if (no != NULL && *no != '\0')
		return 0;
	return isatty(fileno(f));
}

const char *
human_state_colour(const char *state)
{
	static const char *const green[] = { "up", "ready", NULL };
	static const char *const yellow[] = { "waiting", "connecting", "closing", "recovering",
		"syncing", "initializing", "sim", "registering", "attaching", NULL };
	static const char *const red[] = { "down", "backoff", "failed", "closed", NULL };

	for (int i = 0; green[i] != NULL; i++)
		if (strcmp(state, green[i]) == 0)
			return "\033[32m";
	for (int i = 0; yellow[i] != NULL; i++)
		if (strcmp(state, yellow[i]) == 0)
			return "\033[33m";
	for (int i = 0; red[i] != NULL; i++)
		if (strcmp(state, red[i]) == 0)
			return "\033[31m";
	return "";
}

void
human_put_state(FILE *f, const char *word, int width, int colour)
{
	const char *c = colour ? human_state_colour(word) : "";

	fprintf(f, "%s%s%s", c, word, *c ? "\033[0m" : "");
	for (int n = (int)strlen(word); n < width; n++)
		fputc(' ', f);
}
