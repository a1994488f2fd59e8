/* A scripted fake modem on one end of a socketpair, driven by the same
 * event_base as the engine under test: each step waits for exact bytes and
 * answers with a reply (or stays silent). */
#ifndef CELLSOCK_TESTS_FAKEPEER_H
#define CELLSOCK_TESTS_FAKEPEER_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct fakepeer;

struct fakepeer *fakepeer_new(struct event_base *, int fd);
void fakepeer_free(struct fakepeer *);
/* Wait for expect (a string), then write reply (may be NULL: silence). */
void fakepeer_expect(struct fakepeer *, const char *expect, const char *reply);
/* Binary variant. */
void fakepeer_expect_bytes(struct fakepeer *, const void *expect, size_t elen,
    const void *reply, size_t rlen);
/* Write bytes now. */
void fakepeer_send(struct fakepeer *, const void *buf, size_t len);
void fakepeer_sends(struct fakepeer *, const char *s);
/* Close our end (the modem vanishes). */
void fakepeer_close(struct fakepeer *);
/* Steps not yet matched; 0 when the script is done. */
size_t fakepeer_left(const struct fakepeer *);
/* Nonzero when received bytes differed from the script. */
int fakepeer_mismatch(const struct fakepeer *);
/* Bytes received and not matched by any step. */
size_t fakepeer_unmatched(const struct fakepeer *);
/* Monotonic ms when step i was matched (0 if not yet). */
uint64_t fakepeer_matched_at(const struct fakepeer *, size_t i);
/* Call fn(arg) once every step is matched (e.g. to stop the loop). */
void fakepeer_on_done(struct fakepeer *, void (*fn)(void *), void *arg);

#endif
