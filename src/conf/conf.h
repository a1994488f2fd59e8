/* Configuration: /etc/cellsock/cellsockd.conf (libconfig syntax) parsed into
 * plain structs. See cellsockd.conf(5) for every key, default and unit. */
#ifndef CELLSOCK_CONF_H
#define CELLSOCK_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CONF_DEFAULT_PATH SYSCONFDIR "/cellsock/cellsockd.conf"
#define CONF_MAX_LINKS 12	/* one per module socket: Quectel has twelve (connectID 0..11) */
#define CONF_TELIT_SOCKET_MAX 6	/* Telit connId 1..6 */
#define CONF_QUECTEL_SOCKET_MAX 11	/* Quectel connectID 0..11 */
#define CONF_HEX_MAX 32		/* longest probe/reply byte string */
#define CONF_FILE_MAX (64 * 1024)	/* larger files are refused (libconfig
					 * checks duplicate keys in O(n^2)) */
#define CONF_ERRORS_MAX 100	/* messages kept; one more line counts the rest */
#define CONF_MAX_LOCAL_USERS 16	/* entries of links[].local_users */
#define CONF_MAX_PORTS 4	/* modem.ports: AT channels onto one module */

enum conf_flow { CONF_FLOW_NONE, CONF_FLOW_RTSCTS, CONF_FLOW_XONXOFF };
/* auto: the module's +CGMI answer picks one at bring-up */
enum conf_dialect { CONF_DIALECT_TELIT, CONF_DIALECT_QUECTEL, CONF_DIALECT_AUTO };
enum conf_session { CONF_SESSION_TRANSPARENT, CONF_SESSION_PERSISTENT };
enum conf_local_kind { CONF_LOCAL_NONE, CONF_LOCAL_UNIX, CONF_LOCAL_TCP };

struct conf_modem {
	char *device;		/* the first port (= ports[0]) */
	/* Every AT port of the module (modem.ports, or device alone); with
	 * several, SLOW and blocking work goes to the last, the rest to the
	 * first. Always at least one once the configuration is checked. */
	char **ports;
	int n_ports;
	int baudrate;
	enum conf_flow flow_control;
	enum conf_dialect dialect;
	char **init;		/* extra AT commands sent after the standard init */
	int n_init;
	double command_timeout;	/* seconds */
	double command_gap;	/* seconds after a final result, unless auto */
	int command_gap_auto;	/* short gap, Telit's 20 ms after a timeout */
	char *pin;		/* secret: never logged */
};

struct conf_network {
	char *apn;
	int cid;
	char *pdp_type;		/* "IP", "IPV6", "IPV4V6" */
	char *user;
	char *password;		/* secret: never logged */
	double registration_timeout;
};

struct conf_keepalive {
	double idle;		/* seconds without a byte either way before a probe */
	int idle_auto;		/* idle = "auto": learn the network's idle
				 * timeout; idle then starts at idle_min */
	double idle_min, idle_max;	/* bounds for idle = "auto" */
	double idle_probe_up;	/* idle = "auto", settled: seconds between
				 * trials of a longer idle, 0 = never */
	int idle_trial_deaths_per_day;	/* deaths such trials may cost a day */
	double timeout;		/* seconds to wait for the reply */
	int retries;		/* missed replies that declare the link dead */
	uint8_t probe[CONF_HEX_MAX];
	size_t probe_len;	/* 0: no probe */
	uint8_t reply[CONF_HEX_MAX];
	size_t reply_len;
	int reply_any;		/* reply = "any": any inbound data answers */
	double ack_timeout;	/* seconds ack_waiting may stay without progress */
	int modem_keepalive;	/* module TCP keepalive, minutes, 0 = off */
};

struct conf_reconnect {
	double min, max;	/* backoff bounds, seconds */
	double stable;		/* up this long resets the backoff */
	double teardown_timeout;
	double quiet_time;	/* after a verified close, before the next socket/PDP command */
};

struct conf_link {
	char *name;
	char *host;
	int port;
	int socket;		/* modem socket: Telit connId 1..6,
				 * Quectel connectID 0..11 */
	enum conf_local_kind local_kind;
	char *local;		/* as written, e.g. "unix:/run/cellsock/server.sock" */
	char *local_path;	/* unix: */
	int local_port;		/* tcp:127.0.0.1:PORT */
	char *local_addr;	/* tcp: loopback address to bind, "127.0.0.1" or "::1" */
	int local_line;		/* where local is written, for warnings */
	uid_t local_uids[CONF_MAX_LOCAL_USERS];	/* local_users: who may connect */
	int n_local_uids;	/* 0: every local user (local_users absent) */
	enum conf_session session;
	int resend_unacked;
	size_t tx_buffer, rx_buffer;
	double stop_timeout;	/* seconds a stop or removal lets queued bytes
				 * drain before the socket is closed */
	struct conf_keepalive keepalive;
	struct conf_reconnect reconnect;
	int line;		/* where the link starts in the file */
};

struct conf_recovery {
	int pdp_cycle_after, radio_cycle_after, modem_reboot_after;
	char *hook;		/* executable, "" = none */
	double hook_timeout;
	double cooldown;
};

struct conf_control {
	char *socket;
	char *group;		/* "" = leave the group alone */
	mode_t mode;
};

struct conf_log {
	int level;		/* enum log_level */
	int at_trace;
};

struct conf_metrics {
	char *textfile;		/* node_exporter textfile (*.prom), "" = none */
	double interval;	/* seconds between two writes of the textfile */
};

struct conf {
	char *path;
	struct conf_modem modem;
	struct conf_network network;
	struct conf_link links[CONF_MAX_LINKS];
	int n_links;
	struct conf_recovery recovery;
	struct conf_control control;
	struct conf_log log;
	struct conf_metrics metrics;
	/* Advice found while checking, "FILE:LINE: warning: text", handed
	 * out by conf_warnings() */
	char **advice;
	int n_advice;
};

/* Problems found while loading, each formatted "FILE:LINE: message". */
struct conf_errors {
	char **msgs;
	int n;
};

/* Load and validate a file. NULL when anything is wrong; errs lists every problem. */
struct conf *conf_load(const char *path, struct conf_errors *errs);
/* The same from a string; name stands for the file in messages. */
struct conf *conf_load_string(const char *text, const char *name, struct conf_errors *errs);
void conf_free(struct conf *conf);
void conf_errors_init(struct conf_errors *errs);
void conf_errors_free(struct conf_errors *errs);
/* Advice about a valid configuration (a tcp: endpoint open to every local
 * user), appended to warns as "FILE:LINE: warning: message". */
void conf_warnings(const struct conf *conf, struct conf_errors *warns);
/* The link with that name, or NULL. */
const struct conf_link *conf_find_link(const struct conf *conf, const char *name);
/* Names as written in the file, e.g. "persistent", "rtscts". */
const char *conf_session_name(enum conf_session session);
const char *conf_flow_name(enum conf_flow flow);

#endif
