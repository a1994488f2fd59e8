/* The simulated module: the byte-level input state machine (command lines,
 * send prompts, online data with the +++ escape), command execution with
 * final result codes, URCs, registration, PDP contexts and reboots. */
#ifndef MODEMSIM_MODEM_H
#define MODEMSIM_MODEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/time.h>

#include "atparse.h"
#include "sim.h"
#include "sock.h"

struct sim;
struct event;
struct evbuffer;
struct profile;
struct sim_personality;

enum modem_mode {
	MODE_COMMAND,		/* reading AT command lines */
	MODE_BUSY,		/* a command is executing: input is discarded */
	MODE_PROMPT,		/* #SSEND / #SSENDEXT payload after "> " */
	MODE_ONLINE,		/* data mode on one socket */
	MODE_OFF,		/* rebooting: no port */
};

/* What a command handler returns. */
enum at_res {
	RES_OK,			/* go on with the next command of the line */
	RES_ERROR,		/* "ERROR" */
	RES_CME,		/* "+CME ERROR: <m->cme>" (or ERROR with +CMEE=0) */
	RES_PENDING,		/* the handler finishes later with modem_finish() */
	RES_CONNECT,		/* "CONNECT": online mode on m->online_sock */
	RES_PROMPT,		/* "> " written: payload follows */
	RES_NONE,		/* no final result (the module is going away) */
	RES_TEXT,		/* m->final_text ("SEND OK", "SEND FAIL") */
};

enum sim_card { SIM_READY, SIM_PIN, SIM_PUK };

#define MODEM_BS	0x08	/* backspace */

#define PDP_MAX 16		/* cid 1..16; a personality uses 1..pdp_count */

struct pdp_ctx {
	int defined;
	char type[16];
	char apn[128];
	int active;
	char addr[64];
};

/* A fault armed by "error CMD CODE" or "delay CMD MS". */
struct cmd_fault {
	char name[AT_NAME_MAX];	/* "#SD", or "*" for every command */
	int code;		/* error: +CME ERROR code */
	unsigned ms;		/* delay */
	int count;		/* error: how many more times; -1 forever */
	TAILQ_ENTRY(cmd_fault) entry;
};
TAILQ_HEAD(cmd_fault_list, cmd_fault);

/* One AT port onto the module, as a USB module exposes several: its own
 * parser, echo, command in progress, send prompt, online mode and held
 * URCs. Everything else in struct modem is shared by the ports. */
struct modem_chan {
	struct modem *m;
	int idx;		/* 0 .. nchan-1 */
	struct port *port;
	enum modem_mode mode;
	int echo;

	/* Command line assembly. */
	int line_state;		/* 0 wait 'A', 1 got 'A', 2 in a line */
	char line[AT_LINE_MAX + 1];
	size_t linelen;
	int line_overflow;
	int line_ignored;	/* begun within --min-gap of a final result */

	/* Execution of one line. */
	struct at_line cmds;
	int cmd_index;
	int cmd_delayed;	/* the current command already waited its delay */
	int in_handler;		/* URCs raised now wait for the final result */
	int need_lead;		/* the next information line starts with CRLF */
	int cme;
	char final_text[32];	/* RES_TEXT */
	struct event *ev_cmd;	/* command delays and asynchronous commands */
	void (*cmd_cb)(struct modem *);
	char last_line[AT_LINE_MAX + 1];	/* for A/ */
	int muted;		/* the running line's output is lost */

	/* Send prompt. */
	int prompt_sock;
	int prompt_ext;		/* #SSENDEXT: exactly prompt_need bytes */
	size_t prompt_need;
	struct evbuffer *prompt_buf;

	/* Online mode and the +++ escape. */
	int online_sock;
	int esc_count;
	uint64_t esc_last_ms;
	uint64_t last_data_ms;
	struct event *ev_esc;
	int pumping;

	struct evbuffer *urcq;	/* URCs held while not in command mode */
};

struct modem {
	struct sim *sim;
	const struct sim_personality *pers;
	const struct profile *prof;
	void *vendor;		/* the personality's own state (state_size bytes) */
	int line_max;

	/* The AT ports; c is the one whose command or event runs now (output
	 * helpers and handlers act on it). */
	struct modem_chan chan[SIM_PORTS_MAX];
	int nchan;
	struct modem_chan *c;
	int urc_port;		/* where URCs go (AT+QURCCFG); kept across reboots */

	/* Settings (reset by a reboot). */
	int cmee, cfun, flowctl, ipr;
	int sreg[32];		/* S-registers; S12 is the escape guard time */
	int creg_n, cgreg_n, cereg_n;
	enum sim_card card;
	int pin_tries;
	int reg_stat;
	int attached;
	int rssi, ber;
	struct pdp_ctx pdp[PDP_MAX + 1];
	struct sock sock[SOCK_SLOTS];	/* by id; the personality's range is used */

	/* Faults. */
	int hung;
	struct event *ev_hang;
	struct cmd_fault_list errors;
	struct cmd_fault_list delays;
	struct cmd_fault_list losses;	/* "lose CMD": lines answered by nothing */
	struct cmd_fault_list mutes;	/* "mute CMD": lines run, answer lost */
	char *urc_mid;		/* inject into the next response */

	struct event *ev_reg;
	struct event *ev_reboot;
	struct event *ev_boot;
	struct event *ev_ready;	/* --ready-delay after a boot: the boot URCs */
	unsigned reboot_ms;
	int boot_urc;		/* the personality's boot URCs wait for a reader */
	int reboot_wait;

	uint64_t cmds_total;
	uint64_t errors_total;
	uint64_t ignored_total;	/* command lines dropped by --min-gap */
	uint64_t urcs_total;
	unsigned reboots;
};

struct modem *modem_new(struct sim *sim);
void modem_free(struct modem *m);
/* Power on: open the ports, factory settings, register after --reg-delay. */
int modem_boot(struct modem *m);

/* Output helpers for command handlers. */
void modem_info(struct modem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The line announcing a raw payload: no urc-mid between it and the payload. */
void modem_info_head(struct modem *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void modem_info_raw(struct modem *m, const void *buf, size_t len);
void modem_write(struct modem *m, const void *buf, size_t len);
/* A URC on the URC port (m->urc_port). */
void modem_urc(struct modem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A URC on port idx (a socket's URCs on the port that opened it). */
void modem_urc_on(struct modem *m, int idx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The port s's URCs go to: the one that opened it when the personality
 * says so (sock_urc_owner), else the URC port. */
int modem_sock_urc_port(const struct modem *m, const struct sock *s);
/* s is opened or closed by the command running now: its port owns it. */
void modem_sock_own(struct modem *m, struct sock *s);
/* The port online on socket id, or NULL. */
struct modem_chan *modem_online_on(const struct modem *m, int id);
/* The module is off (rebooting): no port. */
int modem_is_off(const struct modem *m);
enum at_res modem_cme(struct modem *m, int code);
/* A final result code of the module's own ("SEND OK"): RES_TEXT. */
enum at_res modem_result_text(struct modem *m, const char *text);
/* Complete the pending asynchronous command. */
void modem_finish(struct modem *m, enum at_res res);
/* Arm the command timer: cb runs after ms (delays, #SGACT, #PING). */
void modem_cmd_timer(struct modem *m, unsigned ms, void (*cb)(struct modem *));

/* Network side. */
int modem_data_path(const struct modem *m);
void modem_set_reg(struct modem *m, int stat);
void modem_start_registration(struct modem *m);
/* Lose registration (stat 0, 2, 3 or 4) and stop a registration in progress. */
void modem_deregister(struct modem *m, int stat);
void modem_pdp_deactivate(struct modem *m, int cid, int network);
const char *modem_local_ip(const struct modem *m, int cid);
void modem_update_io(struct modem *m);

/* Online mode: move received bytes to the port while it has room. */
void modem_pump(struct modem *m);

/* Online mode and prompts, started by #SD, #SO, #SSEND, #SSENDEXT. */
enum at_res modem_go_online(struct modem *m, int id);
void modem_start_prompt(struct modem *m, int id, int ext, size_t need);

/* Faults. */
void modem_reboot(struct modem *m, unsigned ms, const char *why);
void modem_reboot_after_output(struct modem *m, unsigned ms);
void modem_hang(struct modem *m, unsigned ms);
void modem_unhang(struct modem *m);
void modem_inject(struct modem *m, const void *buf, size_t len);
void modem_arm_error(struct modem *m, const char *cmd, int code, int count);
/* The next count lines that start with cmd get no answer at all. */
void modem_arm_loss(struct modem *m, const char *cmd, int count);
/* The next count lines that start with cmd run, but their answer is lost. */
void modem_arm_mute(struct modem *m, const char *cmd, int count);
void modem_set_delay(struct modem *m, const char *cmd, unsigned ms);
void modem_set_urc_mid(struct modem *m, const char *text);
void modem_state(const struct modem *m, struct evbuffer *out);
void modem_sockets(const struct modem *m, struct evbuffer *out);
/* "#SD" from "at#sd", "AT#SD" or "#sd": the name a command table uses. */
void modem_norm_name(const char *in, char *out, size_t outsz);


/* Between the module's own files (modem_*.c), lower to higher:
 * modem_io.c, modem_arm.c < modem_online.c, modem_net.c < modem_exec.c <
 * modem.c. */
static inline struct timeval
modem_tv(unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}
void modem_puts(struct modem *m, const char *s);
/* An armed "urc-mid" goes out in the middle of the current response. */
void modem_emit_mid(struct modem *m);
/* URCs held during a response go out once in command mode. */
void modem_flush_urcs(struct modem *m);
void modem_cmd_cb(int fd, short what, void *arg);
struct cmd_fault *modem_find_fault(struct cmd_fault_list *list, const char *name);
/* An armed count fault was used once: gone when its count runs out. */
void modem_fault_used(struct cmd_fault_list *list, struct cmd_fault *f);
void modem_free_faults(struct cmd_fault_list *list);
/* Prompt input: bytes used; *done 1 when the payload is complete, 2 when
 * ESC aborted it, else 0. */
size_t modem_input_prompt(struct modem *m, const unsigned char *buf, size_t len, int *done);
size_t modem_input_online(struct modem *m, const unsigned char *buf, size_t len);
void modem_esc_cb(int fd, short what, void *arg);
void modem_drain_cb(void *arg);
void modem_reg_cb(int fd, short what, void *arg);
void modem_pdp_addr(struct modem *m, int cid);
/* Bytes from the port, in order. */
void modem_input_cb(void *arg, const unsigned char *buf, size_t len);

#endif
