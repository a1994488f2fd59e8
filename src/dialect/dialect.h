/* The dialect interface: every modem-specific AT command the supervisor
 * needs, as an ops table of asynchronous operations over the AT engine.
 * Nothing outside a dialect's own folder knows command syntax, so a Quectel
 * dialect can be added without touching the supervisor.
 *
 * Every operation queues its command(s) on the engine and calls cb once with
 * a struct dialect_reply when the answer arrives. If the engine refuses the
 * command (queue full, port gone), cb is called at once, before the
 * operation returns, with DIALECT_GONE. If the engine is freed first, cb is
 * never called (the caller drops its state with the engine). */
#ifndef CELLSOCK_DIALECT_H
#define CELLSOCK_DIALECT_H

#include <stddef.h>
#include <stdint.h>

struct at;
struct at_dialect;
struct conf;
struct conf_modem;

enum dialect_status {
	DIALECT_OK,
	DIALECT_ERROR,		/* ERROR or +CME ERROR (cme holds the number) */
	DIALECT_TIMEOUT,	/* the command's deadline passed */
	DIALECT_GONE,		/* the port vanished or the engine refused */
};

/* Why a dial failed, from the +CME ERROR number. */
enum dial_error {
	DIAL_ERR_NONE,
	DIAL_ERR_DNS,		/* the modem could not resolve the host */
	DIAL_ERR_TIMEOUT,	/* connect timed out */
	DIAL_ERR_REFUSED,	/* refused / failed / cannot open socket */
	DIAL_ERR_NO_CONTEXT,	/* the PDP context is not active */
	DIAL_ERR_OTHER,
};

/* Socket states, as the supervisor needs them (not the module's numbers). */
enum sock_state {
	SOCK_CLOSED,
	SOCK_CONNECTED,		/* suspended or active, command mode */
	SOCK_CONNECTED_DATA,	/* connected, unread data waiting */
	SOCK_OPENING,		/* resolving or connecting */
	SOCK_OTHER,		/* listening, incoming */
};

/* How a socket was closed, from #SLASTCLOSURE or NO CARRIER's cause. */
enum sock_closure {
	CLOSURE_UNKNOWN,
	CLOSURE_FIN,
	CLOSURE_RST,
	CLOSURE_INACTIVITY,
	CLOSURE_PDP,
};

enum sim_state {
	SIM_READY,
	SIM_PIN,		/* a PIN is needed */
	SIM_PUK,		/* blocked: never retried */
	SIM_OTHER,
};

#define DIALECT_TEXT_MAX 96

struct modem_ident {
	char manufacturer[DIALECT_TEXT_MAX];
	char model[DIALECT_TEXT_MAX];
	char firmware[DIALECT_TEXT_MAX];
	char imei[32];
	size_t max_send;		/* largest send the module announces, 0 */
};

struct sock_info {
	uint64_t sent, received, buff_in, ack_waiting;
};

struct dialect_reply {
	enum dialect_status status;
	int cme;				/* +CME ERROR number, or -1 */
	char text[DIALECT_TEXT_MAX];		/* final result line, for logs */
	size_t filler;				/* sock_send: filler bytes the module
						 * took to end a lost payload */
	int payload_out;			/* sock_send: the payload was written
						 * to the module, whatever the result */
	union {
		struct modem_ident ident;	/* identify */
		enum sim_state sim;		/* sim_status */
		int reg_stat;			/* reg_query: 3GPP stat (1 home, 5 roaming) */
		struct {
			int dbm;		/* 0 when unknown */
			int rssi;		/* +CSQ 0..31, 99 */
			char oper[DIALECT_TEXT_MAX];
		} signal;			/* signal */
		struct {
			int active;
			char ip[48];
		} pdp;				/* pdp_query, pdp_activate */
		enum dial_error dial;		/* sock_dial */
		enum sock_state sock;		/* sock_status */
		struct sock_info info;		/* sock_info */
		struct {
			const uint8_t *data;	/* valid during the callback */
			size_t len;
		} recv;				/* sock_recv */
		enum sock_closure closure;	/* sock_closure */
	} u;
};

typedef void dialect_cb(const struct dialect_reply *reply, void *arg);

/* Unsolicited events a dialect turns its URCs into. */
struct dialect_events {
	/* Data arrived on connid; pending is the announced amount or -1. */
	void (*data)(int connid, long pending, void *arg);
	/* A socket closed (NO CARRIER); connid -1 when the URC does not say
	 * which, closure CLOSURE_UNKNOWN when it does not say why. */
	void (*closed)(int connid, enum sock_closure closure, void *arg);
	/* Registration changed (+CREG/+CGREG/+CEREG): 3GPP stat. */
	void (*registration)(int stat, void *arg);
	/* The module says it finished booting (Quectel's RDY). May be NULL;
	 * may come twice for one line (see watch_boot). */
	void (*booted)(void *arg);
};

/* Where URC events go; owned by the caller for the engine's lifetime. */
struct dialect_listener {
	const struct dialect_events *ev;
	void *arg;
};

struct dialect_ops {
	const char *name;
	/* Final results and error numbers of this dialect, for the engine. */
	const struct at_dialect *at;
	/* Largest payload of one send when the module does not say (identify
	 * may learn the module's own limit into modem_ident.max_send). */
	size_t max_send;
	/* The largest send the supervisor uses even when the module announces
	 * more (identify's modem_ident.max_send is capped at this). */
	size_t max_send_cap;
	/* The largest read of buffered data in one command. */
	size_t max_read;
	/* The module's socket (connection) ids: first and last. */
	int sock_id_min, sock_id_max;
	/* Deadlines of the commands that block the channel, ms: a dial (the
	 * module's own connect timeout plus a margin) and a verified close. */
	int dial_timeout_ms;
	int close_timeout_ms;
	/* How long those commands hold the AT channel. A dial with dial_holds
	 * holds it until connect or the module's own timer, set from the
	 * deadline passed less dial_margin_ms (Telit: #SCFG connTo before #SD);
	 * with 0 it answers at once (Quectel +QIOPEN). A close with
	 * close_bounded has its own timer, the deadline less close_margin_ms
	 * (Quectel QICLOSE); without, the module decides (Telit #SH waits for
	 * the FIN exchange) and close_timeout_ms is the most it may hold. */
	int dial_holds;
	int dial_margin_ms;
	int close_bounded;
	int close_margin_ms;
	/* The quiet time the manuals ask for after a final result code. */
	int gap_ms;
	/* After a boot the module may answer AT before it is ready: how long
	 * to wait for its ready URC before the bring-up goes on, ms (0: the
	 * module sends none). */
	int boot_wait_ms;
	/* Register URC handlers on the engine; events go to the listener. */
	void (*attach)(struct at *at, struct dialect_listener *listener);
	/* Register only the handler of the boot URC (events.booted), before
	 * the dialect is known; attach registers it too. NULL: none. */
	void (*watch_boot)(struct at *at, struct dialect_listener *listener);
	/* After resync: verbose errors, flow control, syntax level, the
	 * configured extra init commands. */
	void (*init)(struct at *at, const struct conf_modem *conf, dialect_cb *cb, void *arg);
	void (*identify)(struct at *at, dialect_cb *cb, void *arg);
	void (*sim_status)(struct at *at, dialect_cb *cb, void *arg);
	/* Enter the PIN (the command is masked in logs). */
	void (*sim_unlock)(struct at *at, const char *pin, dialect_cb *cb, void *arg);
	/* Turn registration URCs on. */
	void (*reg_enable)(struct at *at, dialect_cb *cb, void *arg);
	void (*reg_query)(struct at *at, dialect_cb *cb, void *arg);
	void (*signal)(struct at *at, dialect_cb *cb, void *arg);
	/* Define the context; a dialect whose definition carries the
	 * credentials (Quectel's +QICSGP) takes them here, others at
	 * pdp_activate. */
	void (*pdp_define)(struct at *at, int cid, const char *type, const char *apn,
	    const char *user, const char *password, dialect_cb *cb, void *arg);
	void (*pdp_query)(struct at *at, int cid, dialect_cb *cb, void *arg);
	/* Activate (long deadline); "already active" counts as success. */
	void (*pdp_activate)(struct at *at, int cid, const char *user, const char *password,
	    dialect_cb *cb, void *arg);
	void (*pdp_deactivate)(struct at *at, int cid, dialect_cb *cb, void *arg);
	/* Tie the sockets ids[0..n-1] to context cid before it is activated
	 * (HE910 answers #SGACT with ERROR while no socket is tied to the
	 * cid). NULL: the dialect needs nothing before activation. */
	void (*sock_bind)(struct at *at, int cid, const int *ids, int n, dialect_cb *cb,
	    void *arg);
	/* 0 when every command carrying configured values (APN, credentials,
	 * host names, init commands) fits the command line of this model
	 * (+CGMM answer, "" unknown); else -1 and why, naming the setting.
	 * NULL: the dialect has no limit worth checking. */
	int (*line_check)(const struct conf *conf, const char *model, char *why, size_t len);
	/* Socket settings: context, no inactivity timeout, data-amount data
	 * notifications, module keepalive in minutes (0 off). */
	void (*sock_configure)(struct at *at, int connid, int cid, int keepalive_min,
	    dialect_cb *cb, void *arg);
	/* TCP connect in command mode over context cid; reply.u.dial
	 * classifies failures. */
	void (*sock_dial)(struct at *at, int connid, int cid, const char *host, int port,
	    int timeout_ms, dialect_cb *cb, void *arg);
	void (*sock_close)(struct at *at, int connid, int timeout_ms, dialect_cb *cb, void *arg);
	void (*sock_status)(struct at *at, int connid, dialect_cb *cb, void *arg);
	void (*sock_info)(struct at *at, int connid, dialect_cb *cb, void *arg);
	/* Send exactly len (<= max_send) raw bytes. */
	void (*sock_send)(struct at *at, int connid, const void *data, size_t len,
	    dialect_cb *cb, void *arg);
	/* sock_send for a keepalive probe: goes ahead of queued work. */
	void (*sock_probe)(struct at *at, int connid, const void *data, size_t len,
	    dialect_cb *cb, void *arg);
	/* Read up to max bytes of buffered data. */
	void (*sock_recv)(struct at *at, int connid, size_t max, dialect_cb *cb, void *arg);
	void (*sock_closure)(struct at *at, int connid, dialect_cb *cb, void *arg);
	/* Radio off (flight mode) or on. */
	void (*radio)(struct at *at, int on, dialect_cb *cb, void *arg);
	/* Reboot the module; the port is expected to vanish afterwards. */
	void (*reboot)(struct at *at, dialect_cb *cb, void *arg);
};

extern const struct dialect_ops dialect_telit;
extern const struct dialect_ops dialect_quectel;

/* Known-bad firmware: a longer quiet time after every close, and what fixes it. */
struct dialect_quirk {
	const char *model;		/* prefix of the +CGMM answer */
	const char *firmware;		/* exact +CGMR answer */
	double min_quiet_time;		/* seconds */
	const char *advice;		/* logged as a warning */
};

/* The quirk for this model and firmware, or NULL. */
const struct dialect_quirk *dialect_quirk_find(const char *model, const char *firmware);

#endif
