/* Values as people read them: durations like 3h12m, local times, sizes
 * in binary units, state words in colour on a terminal. */
#ifndef CELLSOCK_CTL_HUMAN_H
#define CELLSOCK_CTL_HUMAN_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define HUMAN_MAX 64

/* Seconds (a decimal number as text, or a number) as "3h12m", "4m05s",
 * "2.5s"; "-" for an empty or unreadable value. */
void human_duration(double seconds, char *buf, size_t size);
void human_duration_text(const char *seconds, char *buf, size_t size);
/* Unix time as local "YYYY-MM-DD HH:MM:SS"; "never" for 0. */
void human_time(time_t t, char *buf, size_t size);
/* How long ago the epoch in text was: "3h12m", or "-" for 0 or none. */
void human_age_text(const char *epoch, time_t now, char *buf, size_t size);
/* A byte count as text as "512 B", "1.5 KiB", "23 MiB". */
void human_bytes_text(const char *bytes, char *buf, size_t size);

/* Whether colour is wanted on f: a terminal, and NO_COLOR not set to
 * anything but the empty string (https://no-color.org). */
int human_colour_wanted(FILE *f);
/* The escape sequence that colours a state word, or "" for none. */
const char *human_state_colour(const char *state);
/* Write word padded to width columns, coloured when colour is set. */
void human_put_state(FILE *f, const char *word, int width, int colour);

#endif
