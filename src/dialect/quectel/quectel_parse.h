/* Pure parsers for the Quectel (BG95, BG96, EC2x, EG25) TCP/IP answers and
 * URCs (formats in shared/reference/dialects/quectel.md and
 * shared/reference/at-commands.md §3). Each takes the whole line as
 * received, fills a caller-owned struct and returns 0, or -1 for malformed
 * input (the struct is then unspecified). Absent optional numbers are -1,
 * absent strings "". Spaces after ':' and around commas are allowed; string
 * fields may come quoted or not; numbers must be bare decimal digits (no
 * sign, no quotes) and are range-checked. Extra trailing fields (newer
 * firmware) are ignored, and so are descriptive fields that do not read
 * (an address, a port name) where the fields that matter do. Nothing
 * allocates.
 *
 * Socket errors also come as "+CME ERROR: <code>" with the same 550..574
 * numbers as +QIOPEN and +QIGETERROR (at_cme_code() gives the number); feed
 * it to quectel_error_class(). The numbers overlap Telit's but mean other
 * things: never share a table with the Telit dialect. */
#ifndef CELLSOCK_DIALECT_QUECTEL_PARSE_H
#define CELLSOCK_DIALECT_QUECTEL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "dialect/dialect.h"

#define QUECTEL_IP_MAX		46	/* INET6_ADDRSTRLEN */
#define QUECTEL_HOST_MAX	128	/* +QISTATE remote: an IP, maybe a name */
#define QUECTEL_TEXT_MAX	64
#define QUECTEL_CONNID_MAX	11	/* connect ids are 0..11 */
#define QUECTEL_CTX_MIN		1	/* context ids are 1..16 */
#define QUECTEL_CTX_MAX		16
#define QUECTEL_QIRD_MAX	4096	/* manual: read_length <= 1500; larger
					 * announced counts are refused */

/* "+QIOPEN: <connectID>,<err>": err 0 is success, else a 5xx code. */
struct quectel_qiopen {
	int conn_id;
	int err;
};
int quectel_parse_qiopen_urc(const char *line, struct quectel_qiopen *);

enum quectel_urc_kind {
	QUECTEL_URC_RECV,		/* "recv",<id>[,<len>[,"<ip>",<port>]] */
	QUECTEL_URC_CLOSED,		/* "closed",<id> */
	QUECTEL_URC_PDPDEACT,		/* "pdpdeact",<ctx> */
	QUECTEL_URC_INCOMING,		/* "incoming",<id>,<srv>,"<ip>",<port> */
	QUECTEL_URC_INCOMING_FULL,	/* "incoming full" */
	QUECTEL_URC_OTHER,		/* "dnsgip" and anything else: not parsed */
};

/* "+QIURC: ..." The kind is matched in any case. The recv length is
 * present with BG95 recv_ind=1 and in direct-push mode; in direct push the
 * data that follows the line (view mode 0) is the caller's business; in
 * view mode 1 (data after a comma on the same line) only the id and length
 * are read. */
struct quectel_qiurc {
	enum quectel_urc_kind kind;
	char name[QUECTEL_TEXT_MAX];	/* the kind as sent, e.g. "dnsgip" */
	int conn_id;			/* recv, closed, incoming */
	int ctx;			/* pdpdeact */
	long len;			/* recv: bytes announced, or -1 */
	int server_id;			/* incoming */
	char remote_ip[QUECTEL_IP_MAX];	/* incoming; recv of a UDP service */
	int remote_port;
};
int quectel_parse_qiurc(const char *line, struct quectel_qiurc *);

/* +QISTATE socket states. */
enum quectel_sock_state {
	QUECTEL_SOCK_INITIAL = 0,	/* closed, the id may be reused */
	QUECTEL_SOCK_OPENING = 1,
	QUECTEL_SOCK_CONNECTED = 2,
	QUECTEL_SOCK_LISTENING = 3,
	QUECTEL_SOCK_CLOSING = 4,	/* also after "closed": needs QICLOSE */
};

enum quectel_service {
	QUECTEL_SVC_TCP,
	QUECTEL_SVC_UDP,
	QUECTEL_SVC_TCP_LISTENER,
	QUECTEL_SVC_TCP_INCOMING,
	QUECTEL_SVC_UDP_SERVICE,
	QUECTEL_SVC_OTHER,		/* see type[] */
};

/* "+QISTATE: <id>,"<type>","<ip>",<rport>,<lport>,<socket_state>,<ctx>,
 * <serverID>,<access_mode>,"<AT_port>"": the id and socket_state (the 6th
 * field, 0..255: numbers beyond 4 are unknown states) must read; the
 * fields after socket_state may be missing, and the others are taken when
 * they read (else -1 or ""). On -1, conn_id still names the socket when
 * the first field was an id (a line about it that did not read). */
struct quectel_qistate {
	int conn_id;
	enum quectel_service service;
	char type[QUECTEL_TEXT_MAX];	/* "TCP", "TCP LISTENER", ... */
	char remote[QUECTEL_HOST_MAX];	/* may be empty */
	int remote_port;
	int local_port;
	enum quectel_sock_state state;
	int ctx;
	int server_id;
	int access_mode;		/* 0 buffer, 1 direct push, 2 transparent */
	char at_port[QUECTEL_TEXT_MAX];	/* "usbmodem", "usbat", "uart1" */
};
int quectel_parse_qistate(const char *line, struct quectel_qistate *);

/* "+QISEND: <total_send_length>,<ackedbytes>,<unackedbytes>", the answer to
 * AT+QISEND=<id>,0. */
struct quectel_qisend_info {
	uint64_t total, acked, unacked;
};
int quectel_parse_qisend_info(const char *line, struct quectel_qisend_info *);

/* Data header "+QIRD: <n>" (n raw bytes follow the CRLF; "+QIRD: 0" when
 * the buffer is empty) or, for a UDP service, "+QIRD: <n>,"<ip>",<port>".
 * Only view mode 0 (data after CRLF) is supported. */
struct quectel_qird {
	size_t len;
	char remote_ip[QUECTEL_IP_MAX];	/* UDP service form only */
	int remote_port;
};
int quectel_parse_qird_header(const char *line, struct quectel_qird *);
/* at_raw_len_fn for AT+QIRD: args after "+QIRD:" -> byte count, or -1 for
 * anything else (including the three-counter answer to AT+QIRD=<id>,0). */
long quectel_qird_len(const char *args);

/* "+QIRD: <total_receive_length>,<have_read_length>,<unread_length>", the
 * answer to AT+QIRD=<id>,0. */
struct quectel_qird_info {
	uint64_t total, read, unread;
};
int quectel_parse_qird_info(const char *line, struct quectel_qird_info *);

/* "+QIACT: <ctx>,<state>,<type>[,"<ip>"[,"<ip>"]]" (AT+QIACT? lists the
 * active contexts only; an empty address is allowed; the second address is
 * tolerated for type 3, IPv4v6; an address that does not read is left
 * empty). */
struct quectel_qiact {
	int ctx;
	int state;			/* 1 activated, 0 deactivated */
	int type;			/* 1 IPv4, 2 IPv6, 3 IPv4v6 */
	char ip[QUECTEL_IP_MAX];
	char ip2[QUECTEL_IP_MAX];
};
int quectel_parse_qiact(const char *line, struct quectel_qiact *);

/* "+QIGETERROR: <code>,"<text>"" (text may be empty or missing). */
struct quectel_qigeterror {
	int code;
	char text[QUECTEL_TEXT_MAX];
};
int quectel_parse_qigeterror(const char *line, struct quectel_qigeterror *);

/* Unit of the tcp/keepalive idle time: it differs by module family. */
enum quectel_ka_unit {
	QUECTEL_KA_MINUTES,		/* BG95: (1-120) */
	QUECTEL_KA_SECONDS,		/* other families: (1-1800) */
};

/* One line of the answer to AT+QICFG=?:
 *   +QICFG: "tcp/keepalive",(0,1),(1-120),(25-100),(3-10)
 * Each group is "(lo-hi)", "(a,b,...)" or "(n)"; the interval and probe
 * groups may be missing (then -1). Lines for other keys give -1. The unit
 * is minutes when the largest idle time is at most 120, else seconds. */
struct quectel_keepalive_test {
	long idle_min, idle_max;
	enum quectel_ka_unit unit;
	long interval_min, interval_max;
	long probes_min, probes_max;
};
int quectel_parse_qicfg_keepalive_test(const char *line,
    struct quectel_keepalive_test *);
/* The read form: "+QICFG: "tcp/keepalive",<enable>[,<idle>,<interval>,
 * <probes>]" (absent numbers -1). */
struct quectel_keepalive {
	int enable;
	long idle, interval, probes;
};
int quectel_parse_qicfg_keepalive(const char *line, struct quectel_keepalive *);

/* Dial-error class of a Quectel IP-stack code (+QIOPEN err, +CME ERROR,
 * +QIGETERROR): 0 -> DIAL_ERR_NONE, unknown codes -> DIAL_ERR_OTHER. */
enum dial_error quectel_error_class(int code);
/* Quectel's text for a code ("DNS parse failed"), or "unknown error". */
const char *quectel_error_name(int code);

/* Is this answer to AT+CGMI / AT+GMI (or the first line of ATI) a Quectel
 * module? "Quectel", "QUECTEL", "Quectel_Ltd", optionally "+CGMI: ". */
int quectel_is_manufacturer(const char *cgmi_line);

#endif
