/* Pure parsers for the Telit responses and URCs the daemon needs (formats in
 * shared/reference/at-commands.md): network, SIM and identification in
 * telit_parse.c, sockets in telit_parse_sock.c, both over at/field.h.
 * Each takes the whole line as received, fills a caller-owned struct and
 * returns 0, or -1 for malformed input (the struct is then unspecified).
 * Absent optional numbers are -1, absent strings "". */
#ifndef CELLSOCK_DIALECT_TELIT_PARSE_H
#define CELLSOCK_DIALECT_TELIT_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define TELIT_IP_MAX		46	/* INET6_ADDRSTRLEN */
#define TELIT_CONNID_MAX	32	/* Telit has 6; leave room */
#define TELIT_SRECV_MAX		4096	/* larger counts are refused */
#define TELIT_TEXT_MAX		64

/* #SS socket states (0..5 on HE910, 6/7 on newer modules). */
enum telit_ss_state {
	TELIT_SS_CLOSED = 0,
	TELIT_SS_ACTIVE = 1,		/* online data transfer */
	TELIT_SS_SUSPENDED = 2,
	TELIT_SS_SUSPENDED_DATA = 3,	/* suspended with unread data */
	TELIT_SS_LISTENING = 4,
	TELIT_SS_INCOMING = 5,		/* waiting for #SA or #SH */
	TELIT_SS_RESOLVING = 6,		/* LE910 V2 (ME910C1: "opening") */
	TELIT_SS_CONNECTING = 7,
};

/* "#SS: 1,3,1.2.3.4,61119,5.6.7.8,10510", "#SS: 3,0", "#SS: 2,4,ip,port" */
struct telit_ss {
	int conn_id;
	enum telit_ss_state state;
	char local_ip[TELIT_IP_MAX];
	int local_port;
	char remote_ip[TELIT_IP_MAX];
	int remote_port;
};
int telit_parse_ss(const char *line, struct telit_ss *);
/* The row of conn_id among answer lines: one line (AT#SS=<connId>) or
 * the listing of every socket (bare AT#SS, the only form on UC864). 0,
 * or -1 when no well-formed row names conn_id. */
int telit_parse_ss_find(const char *const *lines, size_t n, int conn_id, struct telit_ss *);

/* "#SI: <connId>,<sent>,<received>,<buff_in>,<ack_waiting>" */
struct telit_si {
	int conn_id;
	uint64_t sent, received, buff_in, ack_waiting;
};
int telit_parse_si(const char *line, struct telit_si *);

/* "#SRECV: <connId>,<n>" or, with UDPInfo,
 * "#SRECV: <srcIP>,<srcPort>,<connId>,<n>,<dataLeft>" */
struct telit_srecv {
	int conn_id;
	size_t len;			/* raw bytes that follow the line */
	char src_ip[TELIT_IP_MAX];	/* UDPInfo form only */
	int src_port;
	long left;
};
int telit_parse_srecv(const char *line, struct telit_srecv *);
/* at_raw_len_fn for AT#SRECV: args after "#SRECV:" -> byte count or -1. */
long telit_srecv_len(const char *args);

/* SRING: srMode 0 "SRING: 1", 1 "SRING: 1,20", 2 "SRING: 1,5,<data>",
 * 3 "SRING: "ip",port,1,5,0,<data>"; a listening socket's incoming
 * connection "SRING : 1" or "+SRING : 1". */
struct telit_sring {
	int incoming;			/* listen form */
	int mode;			/* srMode 0..3 (0 for incoming) */
	int conn_id;
	long pending;			/* mode >= 1 */
	const char *data;		/* mode >= 2: points into the line */
	size_t data_len;
	char src_ip[TELIT_IP_MAX];	/* mode 3 */
	int src_port;
	long left;			/* mode 3 */
};
int telit_parse_sring(const char *line, struct telit_sring *);

/* #SLASTCLOSURE and NO CARRIER causes. */
enum telit_closure {
	TELIT_CLOSURE_NONE = 0,		/* not closed yet */
	TELIT_CLOSURE_FIN = 1,		/* remote FIN */
	TELIT_CLOSURE_RST = 2,		/* remote RST or abort */
	TELIT_CLOSURE_INACTIVITY = 3,	/* maxTo expired */
	TELIT_CLOSURE_PDP = 4,		/* network deactivated the context */
};

/* "NO CARRIER", "NO CARRIER: 1", "NO CARRIER:3", "NO CARRIER: 1,2" */
struct telit_no_carrier {
	int conn_id;
	int cause;
};
int telit_parse_no_carrier(const char *line, struct telit_no_carrier *);

/* "#SLASTCLOSURE: <connId>,<cause>" */
struct telit_slastclosure {
	int conn_id;
	int cause;			/* enum telit_closure or newer */
};
int telit_parse_slastclosure(const char *line, struct telit_slastclosure *);

/* Activation answer "#SGACT: 10.1.2.3" (IPv4 or IPv6, maybe quoted). */
int telit_parse_sgact_ip(const char *line, char *ip, size_t ipsz);
/* Read form "#SGACT: <cid>,<stat>" */
struct telit_sgact {
	int cid;
	int stat;
};
int telit_parse_sgact_read(const char *line, struct telit_sgact *);

enum telit_reg_kind { TELIT_REG_CREG, TELIT_REG_CGREG, TELIT_REG_CEREG };
enum telit_reg_form {
	TELIT_REG_URC,		/* +CREG: <stat>[,<lac>,<ci>[,<AcT>]] */
	TELIT_REG_READ,		/* +CREG: <n>,<stat>[,...] (answer to ?) */
};
struct telit_reg {
	enum telit_reg_kind kind;
	int n;			/* read form only */
	int stat;		/* 0..10; registered: 1 home, 5 roaming */
	long lac;		/* lac or tac */
	long ci;
	int act;
	int cause_type, reject_cause;	/* +CEREG=3 */
};
int telit_parse_reg(const char *line, enum telit_reg_form, struct telit_reg *);
int telit_reg_registered(const struct telit_reg *);

/* "+CSQ: <rssi>,<ber>" */
struct telit_csq {
	int rssi;		/* 0..31, 99 unknown */
	int ber;		/* 0..7, 99 unknown */
};
int telit_parse_csq(const char *line, struct telit_csq *);
/* Signal in dBm (-113..-51), or 0 when unknown. */
int telit_csq_dbm(const struct telit_csq *);

/* "+COPS: <mode>[,<format>,"<oper>"[,<AcT>]]" */
struct telit_cops {
	int mode, format;
	char oper[TELIT_TEXT_MAX];
	int act;
};
int telit_parse_cops(const char *line, struct telit_cops *);

/* "+CPIN: READY", "+CPIN: SIM PIN", ... (3GPP TS 27.007 codes) */
enum telit_pin {
	TELIT_PIN_READY,
	TELIT_PIN_SIM_PIN,
	TELIT_PIN_SIM_PUK,
	TELIT_PIN_PH_SIM_PIN,
	TELIT_PIN_PH_FSIM_PIN,
	TELIT_PIN_PH_FSIM_PUK,
	TELIT_PIN_SIM_PIN2,
	TELIT_PIN_SIM_PUK2,
	TELIT_PIN_PH_NET_PIN,
	TELIT_PIN_PH_NET_PUK,
	TELIT_PIN_PH_NETSUB_PIN,
	TELIT_PIN_PH_NETSUB_PUK,
	TELIT_PIN_PH_SP_PIN,
	TELIT_PIN_PH_SP_PUK,
	TELIT_PIN_PH_CORP_PIN,
	TELIT_PIN_PH_CORP_PUK,
};
int telit_parse_cpin(const char *line, enum telit_pin *);
const char *telit_pin_name(enum telit_pin);

/* A bare identification line (+CGMM, +CGMR, +CGMI, ATI): trimmed,
 * printable, non-empty; an optional "+CGMR: "-style prefix is removed. */
int telit_parse_ident(const char *line, char *out, size_t outsz);
/* +CGSN: 14..17 digits (IMEI/IMEISV), optional prefix and quotes. */
int telit_parse_imei(const char *line, char *out, size_t outsz);

/* Firmware "12.00.004" or "25.20.676-P0F.600200". */
struct telit_fw {
	int major, minor, feature;
	char extra[TELIT_TEXT_MAX];	/* what follows the third number */
};
int telit_parse_fw(const char *line, struct telit_fw *);
/* Compare two versions numerically (<0, 0, >0); extra is ignored. */
int telit_fw_cmp(const struct telit_fw *, const struct telit_fw *);

/* "#SSENDEXT: (1-6),(1-1500)[,(0-2)]", the answer to AT#SSENDEXT=?: the
 * largest byte count of one send (1..65535). */
int telit_parse_ssendext_test(const char *line, size_t *max);

/* AT#SWPKGV: four bare lines. */
struct telit_swpkgv {
	char package[TELIT_TEXT_MAX];	/* <package>-<production params> */
	char modem_fw[TELIT_TEXT_MAX];
	char prod_params[TELIT_TEXT_MAX];
	char app_fw[TELIT_TEXT_MAX];
};
int telit_parse_swpkgv(char *const *lines, size_t n, struct telit_swpkgv *);

#endif
