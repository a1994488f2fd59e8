/* Scripted fake modem: see fakepeer.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "util.h"
#include "xmalloc.h"
#include "fakepeer.h"

#define FAKEPEER_STEPS	64

struct fakepeer_step {
	uint8_t *expect;
	size_t elen;
	uint8_t *reply;
	size_t rlen;
	uint64_t matched_at;
};

struct fakepeer {
	int fd;
	struct event *ev;
	struct fakepeer_step steps[FAKEPEER_STEPS];
	size_t n, cur;
	uint8_t in[65536];
	size_t in_len;
	int mismatch;
	void (*done)(void *);
	void *done_arg;
};

static void
fakepeer_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* Record and print a difference between the script and the input. */
static void
fakepeer_report(struct fakepeer *p, const struct fakepeer_step *s)
{
	char got[512], want[512];

	util_escape(p->in, p->in_len, got, sizeof(got));
	util_escape(s->expect, s->elen, want, sizeof(want));
	fprintf(stderr, "fakepeer: step %zu: want \"%s\", got \"%s\"\n",
	    p->cur, want, got);
	p->mismatch = 1;
}

/* Match buffered input against the script. */
static void
fakepeer_match(struct fakepeer *p)
{
	struct fakepeer_step *s;

	while (p->cur < p->n && !p->mismatch) {
		s = &p->steps[p->cur];
		if (p->in_len < s->elen) {
			if (memcmp(p->in, s->expect, p->in_len) != 0)
				fakepeer_report(p, s);
			return;
		}
		if (memcmp(p->in, s->expect, s->elen) != 0) {
			fakepeer_report(p, s);
			return;
		}
		memmove(p->in, p->in + s->elen, p->in_len - s->elen);
		p->in_len -= s->elen;
		s->matched_at = util_now_ms();
		p->cur++;
		if (s->reply != NULL)
			fakepeer_write_all(p->fd, s->reply, s->rlen);
		if (p->cur == p->n && p->done != NULL)
			p->done(p->done_arg);
	}
}

static void
fakepeer_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct fakepeer *p = arg;
	ssize_t n;

	n = read(p->fd, p->in + p->in_len, sizeof(p->in) - p->in_len);
	if (n <= 0) {
		event_del(p->ev);
		return;
	}
	p->in_len += (size_t)n;
	fakepeer_match(p);
}

struct fakepeer *
fakepeer_new(struct event_base *base, int fd)
{
	struct fakepeer *p = xcalloc(1, sizeof(*p));

	p->fd = fd;
	p->ev = event_new(base, fd, EV_READ | EV_PERSIST, fakepeer_on_read, p);
	event_add(p->ev, NULL);
	return p;
}

void
fakepeer_free(struct fakepeer *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->steps[i].expect);
		free(p->steps[i].reply);
	}
	event_free(p->ev);
	if (p->fd != -1)
		close(p->fd);
	free(p);
}

void
fakepeer_expect_bytes(struct fakepeer *p, const void *expect, size_t elen,
    const void *reply, size_t rlen)
{
	struct fakepeer_step *s;

	if (p->n == FAKEPEER_STEPS)
		abort();
	s = &p->steps[p->n++];
	s->expect = xmalloc(elen);
	memcpy(s->expect, expect, elen);
	s->elen = elen;
	if (reply != NULL) {
		s->reply = xmalloc(rlen);
		memcpy(s->reply, reply, rlen);
		s->rlen = rlen;
	}
	fakepeer_match(p);
}

void
fakepeer_expect(struct fakepeer *p, const char *expect, const char *reply)
{
	fakepeer_expect_bytes(p, expect, strlen(expect), reply,
	    reply != NULL ? strlen(reply) : 0);
}

void
fakepeer_send(struct fakepeer *p, const void *buf, size_t len)
{
	fakepeer_write_all(p->fd, buf, len);
}

void
fakepeer_sends(struct fakepeer *p, const char *s)
{
	fakepeer_send(p, s, strlen(s));
}

void
fakepeer_close(struct fakepeer *p)
{
	event_del(p->ev);
	close(p->fd);
	p->fd = -1;
}

size_t
fakepeer_left(const struct fakepeer *p)
{
	return p->n - p->cur;
}

int
fakepeer_mismatch(const struct fakepeer *p)
{
	return p->mismatch;
}

size_t
fakepeer_unmatched(const struct fakepeer *p)
{
	return p->in_len;
}

uint64_t
fakepeer_matched_at(const struct fakepeer *p, size_t i)
{
	return i < p->n ? p->steps[i].matched_at : 0;
}

void
fakepeer_on_done(struct fakepeer *p, void (*fn)(void *), void *arg)
{
	p->done = fn;
	p->done_arg = arg;
}
