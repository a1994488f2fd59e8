/* libFuzzer target for the AT engine as a whole: the input is a program of
 * operations (submit one of a few commands, let the "modem" write bytes,
 * cancel, run the loop) against an engine on a socketpair. Checks that the
 * engine never crashes and that every accepted command gets its destroy
 * call exactly once and its callback at most once. */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "at/atq.h"
#include "at/serial.h"
#include "dialect/telit/telit.h"
#include "dialect/telit/telit_parse.h"
#include "at/urc.h"

#define FUZZ_CMDS 64

struct fuzz_cmd {
	int accepted, calls, destroys;
};

static const char *const si_prefix[] = { "#SI:", NULL };
static const char *const srecv_prefix[] = { "#SRECV:", NULL };

static void
fuzz_cb(const struct at_response *r, void *arg)
{
	struct fuzz_cmd *c = arg;

	for (size_t i = 0; i < r->n_lines; i++)
		if (strlen(r->lines[i]) > 4096)
			abort();
	c->calls++;
}

static void
fuzz_destroy(void *arg)
{
	((struct fuzz_cmd *)arg)->destroys++;
}

static void
fuzz_urc(const char *line, const char *args, void *arg)
{
	struct telit_sring s;

	telit_parse_sring(line, &s);
}

/* Fill ac with one of a few command shapes chosen by k. */
static void
fuzz_command(uint8_t k, struct at_command *ac)
{
	static const uint8_t data[] = "\r\nOK\r\n\0\x1a";

	memset(ac, 0, sizeof(*ac));
	switch (k % 5) {
	case 0:
		ac->cmd = "AT+CSQ";
		break;
	case 1:
		ac->cmd = "AT#SI=1";
		ac->prefixes = si_prefix;
		break;
	case 2:
		ac->cmd = "AT#SSENDEXT=1,8";
		ac->payload = data;
		ac->payload_len = 8;
		break;
	case 3:
		ac->cmd = "AT#SRECV=1,1500";
		ac->prefixes = srecv_prefix;
		ac->raw_prefix = "#SRECV:";
		ac->raw_len = telit_srecv_len;
		break;
	case 4:
		ac->cmd = "AT#SO=1";
		ac->flags = AT_CMD_NO_CARRIER;
		break;
	}
}

static void
fuzz_drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_cmd cmds[FUZZ_CMDS];
	struct event_base *base;
	struct at_params p;
	struct at_command ac;
	struct at *at;
	unsigned ids[FUZZ_CMDS];
	size_t i = 0, n, nc = 0;
	int sv[2];

	log_init("fuzz", LOG_LEVEL_ERROR);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
		return 0;
	memset(cmds, 0, sizeof(cmds));
	base = event_base_new();
	at_params_default(&p);
	p.gap_ms = 0;
	p.dialect = &telit_dialect;
	at = at_new(base, serial_from_fd(base, sv[0], "fuzz"), &p, NULL, NULL);
	for (int u = 0; telit_urc_prefixes[u] != NULL; u++)
		urc_add(at_urcs(at), telit_urc_prefixes[u], fuzz_urc, NULL);
	while (i < size) {
		uint8_t op = data[i++];
		switch (op % 4) {
		case 0:
			if (nc == FUZZ_CMDS)
				break;
			fuzz_command(op / 4, &ac);
			ids[nc] = at_submit(at, &ac, fuzz_cb, &cmds[nc],
			    fuzz_destroy);
			cmds[nc].accepted = ids[nc] != 0;
			nc++;
			break;
		case 1:
			n = i < size ? data[i++] : 0;
			n = n > size - i ? size - i : n;
			if (write(sv[1], data + i, n) < 0)
				break;
			i += n;
			break;
		case 2:
			if (nc > 0)
				at_cancel(at, ids[(op / 4) % nc]);
			break;
		case 3:
			fuzz_drain(sv[1]);
			event_base_loop(base, EVLOOP_NONBLOCK);
			break;
		}
	}
	event_base_loop(base, EVLOOP_NONBLOCK);
	at_free(at);
	for (size_t k = 0; k < nc; k++) {
		if (cmds[k].accepted && cmds[k].destroys != 1)
			abort();
		if (!cmds[k].accepted && cmds[k].destroys != 0)
			abort();
		if (cmds[k].calls > 1)
			abort();
	}
	close(sv[1]);
	event_base_free(base);
	return 0;
}
