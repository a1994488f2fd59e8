/* Quectel response parsers: lines from the manuals and the reference
 * sheets (shared/reference/dialects/quectel.md), edge cases, malformed
 * input, and the 550..574 error table. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dialect/quectel/quectel_parse.h"

static void
test_qiopen(void **state)
{
	struct quectel_qiopen o;
	static const char *const bad[] = {
		"+QIOPEN: 0", "+QIOPEN: 12,0", "+QIOPEN: -1,0",
		"+QIOPEN: 0,-1", "+QIOPEN: x,0", "+QIOPEN: \"0\",0",
		"+QIOPEN: 0,99999999999999999999", "+QIOPEN: 0,65536", "+QIOPEN: 0,",
		"+QIOPEN:",
		"+QIOPEN 0,0", "+QIOPENX: 0,0", "+QISEND: 0,0", "", "+QIOPEN: 0,0x",
		NULL,
	};

	(void)state;
	assert_int_equal(quectel_parse_qiopen_urc("+QIOPEN: 0,0", &o), 0);
	assert_int_equal(o.conn_id, 0);
	assert_int_equal(o.err, 0);
	assert_int_equal(quectel_parse_qiopen_urc("+QIOPEN: 11,566", &o), 0);
	assert_int_equal(o.conn_id, 11);
	assert_int_equal(o.err, 566);
	assert_int_equal(quectel_parse_qiopen_urc("+QIOPEN:1,565", &o), 0);
	assert_int_equal(o.err, 565);
	assert_int_equal(quectel_parse_qiopen_urc("+QIOPEN:  2 , 569 ", &o), 0);
	assert_int_equal(o.conn_id, 2);
	assert_int_equal(o.err, 569);
	/* a trailing field of newer firmware is ignored */
	assert_int_equal(quectel_parse_qiopen_urc("+QIOPEN: 4,0,0", &o), 0);
	assert_int_equal(o.conn_id, 4);
	assert_int_equal(o.err, 0);
	assert_int_equal(quectel_parse_qiopen_urc("+QIOPEN: 5,563,\"x\"", &o), 0);
	assert_int_equal(o.err, 563);
	for (int i = 0; bad[i] != NULL; i++)
		assert_int_equal(quectel_parse_qiopen_urc(bad[i], &o), -1);
}

static void
test_qiurc_recv(void **state)
{
	struct quectel_qiurc u;

	(void)state;
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",0", &u), 0);
	assert_int_equal(u.kind, QUECTEL_URC_RECV);
	assert_string_equal(u.name, "recv");
	assert_int_equal(u.conn_id, 0);
	assert_int_equal(u.len, -1);
	assert_int_equal(u.remote_port, -1);
	/* BG95 recv_ind=1, and the direct-push header (data on the next line) */
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",3,1460", &u), 0);
	assert_int_equal(u.conn_id, 3);
	assert_int_equal(u.len, 1460);
	assert_int_equal(quectel_parse_qiurc("+QIURC:\"recv\", 11 ,0", &u), 0);
	assert_int_equal(u.conn_id, 11);
	assert_int_equal(u.len, 0);
	/* direct push on a UDP service */
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",2,4,"
	    "\"10.7.1.9\",6000", &u), 0);
	assert_int_equal(u.len, 4);
	assert_string_equal(u.remote_ip, "10.7.1.9");
	assert_int_equal(u.remote_port, 6000);
	/* an unquoted kind is accepted */
	assert_int_equal(quectel_parse_qiurc("+QIURC: recv,1", &u), 0);
	assert_int_equal(u.kind, QUECTEL_URC_RECV);

	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\"", &u), -1);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",12", &u), -1);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",-1", &u), -1);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",1,-4", &u), -1);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",1,x", &u), -1);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",1,", &u), -1);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",1,"
	    "99999999999999999999", &u), -1);
	/* view mode 1 (data after a comma), a sender that does not read,
	 * fields of newer firmware: the id and length count, the rest not */
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",0,4,test", &u), 0);
	assert_int_equal(u.conn_id, 0);
	assert_int_equal(u.len, 4);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",0,4,"
	    "\"1.2.3\",6000", &u), 0);
	assert_int_equal(u.len, 4);
	assert_string_equal(u.remote_ip, "");
	assert_int_equal(u.remote_port, -1);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",0,4,"
	    "\"1.2.3.4\",65536", &u), 0);
	assert_int_equal(u.remote_port, -1);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"recv\",1,4,"
	    "\"10.0.0.2\",53,\"x\"", &u), 0);
	assert_string_equal(u.remote_ip, "10.0.0.2");
	assert_int_equal(u.remote_port, 53);
	/* any case, spaces */
	assert_int_equal(quectel_parse_qiurc("+QIURC : \"RECV\" , 7 ", &u), 0);
	assert_int_equal(u.kind, QUECTEL_URC_RECV);
	assert_int_equal(u.conn_id, 7);
}

static void
test_qiurc_other_kinds(void **state)
{
	struct quectel_qiurc u;
	static const char *const bad[] = {
		"+QIURC: \"closed\"", "+QIURC: \"closed\",12", "+QIURC: \"pdpdeact\",0",
		"+QIURC: \"pdpdeact\",17", "+QIURC: \"pdpdeact\",",
		"+QIURC: \"incoming\",1",
		"+QIURC: \"incoming\",1,0,\"host\",80",
		"+QIURC: \"incoming\",1,0,\"1.2.3.4\"", "+QIURC: \"unterminated",
		"+QIURC: ", "+QIURC:", "+QIURC: \"\",1", "QIURC: \"closed\",1",
		"+QIURC: \"closed\",\"1\"", "+QIURC: \"clo\"sed\",1",
		"+QIURC: \"dns\x01gip\"", NULL,
	};

	(void)state;
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"closed\",4", &u), 0);
	assert_int_equal(u.kind, QUECTEL_URC_CLOSED);
	assert_int_equal(u.conn_id, 4);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"pdpdeact\",1", &u), 0);
	assert_int_equal(u.kind, QUECTEL_URC_PDPDEACT);
	assert_int_equal(u.ctx, 1);
	assert_int_equal(u.conn_id, -1);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"incoming full\"", &u),
	    0);
	assert_int_equal(u.kind, QUECTEL_URC_INCOMING_FULL);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"incoming\",1,0,"
	    "\"220.180.239.212\",8062", &u), 0);
	assert_int_equal(u.kind, QUECTEL_URC_INCOMING);
	assert_int_equal(u.conn_id, 1);
	assert_int_equal(u.server_id, 0);
	assert_string_equal(u.remote_ip, "220.180.239.212");
	assert_int_equal(u.remote_port, 8062);
	/* unknown kinds are classified, their arguments not judged */
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"dnsgip\",0,1,600", &u),
	    0);
	assert_int_equal(u.kind, QUECTEL_URC_OTHER);
	assert_string_equal(u.name, "dnsgip");
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"dnsgip\",\"1.2.3.4\"",
	    &u), 0);
	assert_int_equal(u.kind, QUECTEL_URC_OTHER);
	/* known kinds in another case, with trailing fields */
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"Closed\",1,2", &u), 0);
	assert_int_equal(u.kind, QUECTEL_URC_CLOSED);
	assert_int_equal(u.conn_id, 1);
	assert_int_equal(quectel_parse_qiurc("+QIURC: PDPDEACT,1,0", &u), 0);
	assert_int_equal(u.kind, QUECTEL_URC_PDPDEACT);
	assert_int_equal(u.ctx, 1);
	assert_int_equal(quectel_parse_qiurc("+QIURC: \"incoming full\",1", &u), 0);
	assert_int_equal(u.kind, QUECTEL_URC_INCOMING_FULL);
	for (int i = 0; bad[i] != NULL; i++)
		assert_int_equal(quectel_parse_qiurc(bad[i], &u), -1);
}

static void
test_qistate(void **state)
{
	struct quectel_qistate s;
	static const char *const bad[] = {
		"+QISTATE: 0,\"TCP\",\"1.2.3.4\",80,5087",
		"+QISTATE: 0,\"TCP\",\"1.2.3.4\",80,5087,256",
		"+QISTATE: 0,\"TCP\",\"1.2.3.4\",80,5087,-1",
		"+QISTATE: 0,\"TCP\",\"1.2.3.4\",80,5087,\"2\"",
		"+QISTATE: 12,\"TCP\",\"1.2.3.4\",80,5087,2",
		"+QISTATE: 0,\"TCP\",\"1.2.3.4\",80,5087,2,1,0,0,\"uart1",
		"+QISTATE: 0,\"TCP\",\"1.2.3.4\",80,5087,2,1,0,0,\"uart1\"x",
		"+QISTATE: x", "+QISTATE:", "+QIACT: 1,1,1,\"1.2.3.4\"", NULL,
	};

	(void)state;
	assert_int_equal(quectel_parse_qistate("+QISTATE: 0,\"TCP\","
	    "\"151.139.237.11\",80,5087,4,1,0,0,\"uart1\"", &s), 0);
	assert_int_equal(s.conn_id, 0);
	assert_int_equal(s.service, QUECTEL_SVC_TCP);
	assert_string_equal(s.type, "TCP");
	assert_string_equal(s.remote, "151.139.237.11");
	assert_int_equal(s.remote_port, 80);
	assert_int_equal(s.local_port, 5087);
	assert_int_equal(s.state, QUECTEL_SOCK_CLOSING);
	assert_int_equal(s.ctx, 1);
	assert_int_equal(s.server_id, 0);
	assert_int_equal(s.access_mode, 0);
	assert_string_equal(s.at_port, "uart1");

	assert_int_equal(quectel_parse_qistate("+QISTATE:11,\"TCP LISTENER\","
	    "\"127.0.0.1\",0,2020,3,1,11,0,\"usbmodem\"", &s), 0);
	assert_int_equal(s.service, QUECTEL_SVC_TCP_LISTENER);
	assert_int_equal(s.state, QUECTEL_SOCK_LISTENING);
	assert_int_equal(s.server_id, 11);
	assert_string_equal(s.at_port, "usbmodem");
	for (int i = 0; bad[i] != NULL; i++)
		assert_int_equal(quectel_parse_qistate(bad[i], &s), -1);
	/* a bad line still names its socket when its id reads */
	assert_int_equal(quectel_parse_qistate("+QISTATE: 3,\"TCP\",\"1.2.3.4\","
	    "80,5087,x", &s), -1);
	assert_int_equal(s.conn_id, 3);
	assert_int_equal(quectel_parse_qistate("+QISTATE: 3,\"TCP\"", &s), -1);
	assert_int_equal(s.conn_id, 3);
	assert_int_equal(quectel_parse_qistate("+QISTATE: x,2", &s), -1);
	assert_int_equal(s.conn_id, -1);
}

/* Newer firmware: trailing fields, an unknown state number, descriptive
 * fields that do not read, lowercase service type. */
static void
test_qistate_liberal(void **state)
{
	struct quectel_qistate s;

	(void)state;
	assert_int_equal(quectel_parse_qistate("+QISTATE: 0,\"TCP\",\"1.2.3.4\","
	    "80,5087,2,1,0,0,\"uart1\",9,\"x\"", &s), 0);
	assert_int_equal(s.state, QUECTEL_SOCK_CONNECTED);
	assert_string_equal(s.at_port, "uart1");
	assert_int_equal(quectel_parse_qistate("+QISTATE: 0,\"TCP\",\"1.2.3.4\","
	    "80,5087,5", &s), 0);
	assert_int_equal((int)s.state, 5);
	assert_int_equal(quectel_parse_qistate("+QISTATE: 0,\"tcp\",\"1.2.3.4\","
	    "\"80\",65536,2,17,12,3,\"uart1\x01\"", &s), 0);
	assert_int_equal(s.service, QUECTEL_SVC_TCP);
	assert_int_equal(s.state, QUECTEL_SOCK_CONNECTED);
	assert_int_equal(s.remote_port, -1);
	assert_int_equal(s.local_port, -1);
	assert_int_equal(s.ctx, -1);
	assert_int_equal(s.server_id, -1);
	assert_int_equal(s.access_mode, -1);
	assert_string_equal(s.at_port, "");
	assert_int_equal(quectel_parse_qistate("+QISTATE: 0,\"\",\"\",80,5087,4,0",
	    &s), 0);
	assert_int_equal(s.service, QUECTEL_SVC_OTHER);
	assert_int_equal(s.state, QUECTEL_SOCK_CLOSING);
}

/* Trailing fields missing, unquoted strings, spaces, odd addresses. */
static void
test_qistate_tolerant(void **state)
{
	struct quectel_qistate s;

	(void)state;
	/* trailing fields missing after socket_state */
	assert_int_equal(quectel_parse_qistate("+QISTATE: 3,\"UDP\",\"10.0.0.1\","
	    "53,0,2", &s), 0);
	assert_int_equal(s.service, QUECTEL_SVC_UDP);
	assert_int_equal(s.state, QUECTEL_SOCK_CONNECTED);
	assert_int_equal(s.ctx, -1);
	assert_int_equal(s.server_id, -1);
	assert_int_equal(s.access_mode, -1);
	assert_string_equal(s.at_port, "");
	assert_int_equal(quectel_parse_qistate("+QISTATE: 3,\"TCP INCOMING\","
	    "\"10.0.0.1\",53,0,2,16,1", &s), 0);
	assert_int_equal(s.service, QUECTEL_SVC_TCP_INCOMING);
	assert_int_equal(s.ctx, 16);
	assert_int_equal(s.access_mode, -1);
	/* unquoted strings, spaces, unknown type, empty address, a host name */
	assert_int_equal(quectel_parse_qistate("+QISTATE: 1 , TCP , 2001:db8::1 ,"
	    " 443 , 1024 , 1 , 1 , 0 , 2 , usbat", &s), 0);
	assert_string_equal(s.remote, "2001:db8::1");
	assert_int_equal(s.state, QUECTEL_SOCK_OPENING);
	assert_int_equal(s.access_mode, 2);
	assert_string_equal(s.at_port, "usbat");
	assert_int_equal(quectel_parse_qistate("+QISTATE: 1,\"SSL\",\"\",0,0,0",
	    &s), 0);
	assert_int_equal(s.service, QUECTEL_SVC_OTHER);
	assert_string_equal(s.type, "SSL");
	assert_int_equal(s.state, QUECTEL_SOCK_INITIAL);
	assert_int_equal(quectel_parse_qistate("+QISTATE: 1,\"TCP\","
	    "\"example.com\",80,0,1", &s), 0);
	assert_string_equal(s.remote, "example.com");
}

static void
test_qisend_info(void **state)
{
	struct quectel_qisend_info i;

	(void)state;
	assert_int_equal(quectel_parse_qisend_info("+QISEND: 9,9,0", &i), 0);
	assert_true(i.total == 9 && i.acked == 9 && i.unacked == 0);
	assert_int_equal(quectel_parse_qisend_info("+QISEND:4294967296000,"
	    "4294967295999, 1", &i), 0);
	assert_true(i.total == 4294967296000ULL);
	assert_true(i.acked == 4294967295999ULL);
	assert_true(i.unacked == 1);
	assert_int_equal(quectel_parse_qisend_info("+QISEND: "
	    "18446744073709551615,0,0", &i), 0);
	assert_true(i.total == UINT64_MAX);
	assert_int_equal(quectel_parse_qisend_info("+QISEND: "
	    "18446744073709551616,0,0", &i), -1);
	assert_int_equal(quectel_parse_qisend_info("+QISEND: "
	    "99999999999999999999,0,0", &i), -1);
	assert_int_equal(quectel_parse_qisend_info("+QISEND: 9,9", &i), -1);
	/* a fourth field of newer firmware is ignored */
	assert_int_equal(quectel_parse_qisend_info("+QISEND: 9,8,1,0", &i), 0);
	assert_true(i.total == 9 && i.acked == 8 && i.unacked == 1);
	assert_int_equal(quectel_parse_qisend_info("+QISEND: 9,-9,0", &i), -1);
	assert_int_equal(quectel_parse_qisend_info("+QISEND: 9,9,", &i), -1);
	assert_int_equal(quectel_parse_qisend_info("+QISEND: 9,\"9\",0", &i),
	    -1);
	assert_int_equal(quectel_parse_qisend_info("+QIRD: 9,9,0", &i), -1);
	assert_int_equal(quectel_parse_qisend_info("SEND OK", &i), -1);
}

static void
test_qird(void **state)
{
	struct quectel_qird r;
	struct quectel_qird_info i;

	(void)state;
	assert_int_equal(quectel_parse_qird_header("+QIRD: 5", &r), 0);
	assert_int_equal(r.len, 5);
	assert_int_equal(r.remote_port, -1);
	assert_string_equal(r.remote_ip, "");
	assert_int_equal(quectel_parse_qird_header("+QIRD: 0", &r), 0);
	assert_int_equal(r.len, 0);
	assert_int_equal(quectel_parse_qird_header("+QIRD:1500", &r), 0);
	assert_int_equal(r.len, 1500);
	assert_int_equal(quectel_parse_qird_header("+QIRD: 4,\"10.7.1.9\",6000",
	    &r), 0);
	assert_int_equal(r.len, 4);
	assert_string_equal(r.remote_ip, "10.7.1.9");
	assert_int_equal(r.remote_port, 6000);
	/* an unquoted sender, a trailing field */
	assert_int_equal(quectel_parse_qird_header("+QIRD: 4,10.7.1.9,6000,1", &r), 0);
	assert_int_equal(r.len, 4);
	assert_string_equal(r.remote_ip, "10.7.1.9");
	assert_int_equal(quectel_parse_qird_header("+QIRD: 5,0", &r), -1);
	assert_int_equal(quectel_parse_qird_header("+QIRD: 9,9,0,0", &r), -1);
	assert_int_equal(quectel_parse_qird_header("+QIRD: 4097", &r), -1);
	assert_int_equal(quectel_parse_qird_header("+QIRD: -1", &r), -1);
	assert_int_equal(quectel_parse_qird_header("+QIRD: 5,hello", &r), -1);
	assert_int_equal(quectel_parse_qird_header("+QIRD: 9,9,0", &r), -1);
	assert_int_equal(quectel_parse_qird_header("+QIRD: ", &r), -1);
	assert_int_equal(quectel_parse_qird_header("#SRECV: 1,5", &r), -1);

	assert_int_equal(quectel_qird_len("5"), 5);
	assert_int_equal(quectel_qird_len("0"), 0);
	assert_int_equal(quectel_qird_len("4096"), 4096);
	assert_int_equal(quectel_qird_len("4,\"10.7.1.9\",6000"), 4);
	assert_int_equal(quectel_qird_len("4097"), -1);
	assert_int_equal(quectel_qird_len("9,9,0"), -1);
	assert_int_equal(quectel_qird_len("x"), -1);
	assert_int_equal(quectel_qird_len(""), -1);

	assert_int_equal(quectel_parse_qird_info("+QIRD: 9,4,5", &i), 0);
	assert_true(i.total == 9 && i.read == 4 && i.unread == 5);
	assert_int_equal(quectel_parse_qird_info("+QIRD: 0,0,0", &i), 0);
	assert_int_equal(quectel_parse_qird_info("+QIRD: 8589934592,"
	    "8589934592,0", &i), 0);
	assert_true(i.total == 8589934592ULL);
	assert_int_equal(quectel_parse_qird_info("+QIRD: 9,4,5,0", &i), 0);
	assert_true(i.total == 9 && i.read == 4 && i.unread == 5);
	assert_int_equal(quectel_parse_qird_info("+QIRD: 5", &i), -1);
	assert_int_equal(quectel_parse_qird_info("+QIRD: 4,\"1.2.3.4\",6000",
	    &i), -1);
	assert_int_equal(quectel_parse_qird_info("+QIRD: 9,4,-5", &i), -1);
}

static void
test_qiact(void **state)
{
	struct quectel_qiact a;
	static const char *const bad[] = {
		"+QIACT: 1,1", "+QIACT: 0,1,1,\"1.2.3.4\"", "+QIACT: 17,1,1",
		"+QIACT: 1,2,1", "+QIACT: 1,1,256", "+QIACT: 1,1,x",
		"+QIACT: -1,1,1", "+QIACT: 1,1,1,\"1.2.3.4", "+QIACT:", NULL,
	};

	(void)state;
	assert_int_equal(quectel_parse_qiact("+QIACT: 1,1,1,\"10.209.106.8\"",
	    &a), 0);
	assert_int_equal(a.ctx, 1);
	assert_int_equal(a.state, 1);
	assert_int_equal(a.type, 1);
	assert_string_equal(a.ip, "10.209.106.8");
	assert_string_equal(a.ip2, "");
	assert_int_equal(quectel_parse_qiact("+QIACT: 16,1,1,\"\"", &a), 0);
	assert_int_equal(a.ctx, 16);
	assert_string_equal(a.ip, "");
	assert_int_equal(quectel_parse_qiact("+QIACT:2,0,2", &a), 0);
	assert_int_equal(a.state, 0);
	assert_int_equal(a.type, 2);
	assert_int_equal(quectel_parse_qiact("+QIACT: 1,1,3,\"10.7.1.2\","
	    "\"2001:db8::7\"", &a), 0);
	assert_string_equal(a.ip, "10.7.1.2");
	assert_string_equal(a.ip2, "2001:db8::7");
	assert_int_equal(quectel_parse_qiact("+QIACT: 1,1,1,10.7.1.2", &a), 0);
	assert_string_equal(a.ip, "10.7.1.2");
	/* an address that does not read, trailing fields, another type: the
	 * state still counts */
	assert_int_equal(quectel_parse_qiact("+QIACT: 1,1,1,\"1.2.3\"", &a), 0);
	assert_int_equal(a.state, 1);
	assert_string_equal(a.ip, "");
	assert_int_equal(quectel_parse_qiact("+QIACT: 1,1,1,\"1.2.3.4\",\"x\"", &a), 0);
	assert_string_equal(a.ip, "1.2.3.4");
	assert_string_equal(a.ip2, "");
	assert_int_equal(quectel_parse_qiact("+QIACT: 3,1,4,\"a\",\"b\",\"c\"", &a), 0);
	assert_int_equal(a.ctx, 3);
	assert_int_equal(a.type, 4);
	for (int i = 0; bad[i] != NULL; i++)
		assert_int_equal(quectel_parse_qiact(bad[i], &a), -1);
}

static void
test_qigeterror(void **state)
{
	struct quectel_qigeterror e;
	char line[160];

	(void)state;
	assert_int_equal(quectel_parse_qigeterror("+QIGETERROR: 565,\"DNS parse "
	    "failed\"", &e), 0);
	assert_int_equal(e.code, 565);
	assert_string_equal(e.text, "DNS parse failed");
	assert_int_equal(quectel_parse_qigeterror("+QIGETERROR: 0,\"operation "
	    "successful\"", &e), 0);
	assert_int_equal(e.code, 0);
	assert_int_equal(quectel_parse_qigeterror("+QIGETERROR:563,socket "
	    "identity has been used", &e), 0);
	assert_string_equal(e.text, "socket identity has been used");
	assert_int_equal(quectel_parse_qigeterror("+QIGETERROR: 550,\"\"", &e),
	    0);
	assert_string_equal(e.text, "");
	/* the number counts: a text too long or missing, a trailing field */
	snprintf(line, sizeof(line), "+QIGETERROR: 550,\"%080d\"", 0);
	assert_int_equal(quectel_parse_qigeterror(line, &e), 0);
	assert_int_equal(e.code, 550);
	assert_string_equal(e.text, "");
	assert_int_equal(quectel_parse_qigeterror("+QIGETERROR: 565", &e), 0);
	assert_int_equal(e.code, 565);
	assert_int_equal(quectel_parse_qigeterror("+QIGETERROR: 1,\"a\",\"b\"", &e), 0);
	assert_string_equal(e.text, "a");
	assert_int_equal(quectel_parse_qigeterror("+QIGETERROR: -5,\"x\"", &e),
	    -1);
	assert_int_equal(quectel_parse_qigeterror("+QIGETERROR: x,\"x\"", &e),
	    -1);
	assert_int_equal(quectel_parse_qigeterror("+QIGETERROR:", &e), -1);
}

static void
test_keepalive_test(void **state)
{
	struct quectel_keepalive_test k;
	static const char *const bad[] = {
		"+QICFG: \"transpktsize\",(1-1460)", "+QICFG: \"tcp/keepalive\"",
		"+QICFG: \"tcp/keepalive\",(0,1)",
		"+QICFG: \"tcp/keepalive\",(0-2),(1-120)",
		"+QICFG: \"tcp/keepalive\",(0,1),(120-1)",
		"+QICFG: \"tcp/keepalive\",(0,1),(0)",
		"+QICFG: \"tcp/keepalive\",(0,1),(1-120",
		"+QICFG: \"tcp/keepalive\",(0,1),(1-x)",
		"+QICFG: \"tcp/keepalive\",(0,1),(-1-120)",
		"+QICFG: \"tcp/keepalive\",(0,1),(1-120),",
		"+QICFG: \"tcp/keepalive\",(0,1),(1-120),(25-100),(3-10),x",
		"+QICFG: \"tcp/keepalive\",(0,1),(1-120) x",
		"+QICFG: \"tcp/keepalive\",(0,1),(1-99999999999999999999)",
		"+QICFG: \"tcp/keepalive\",1,2,30,3", "+QICFG:", NULL,
	};

	(void)state;
	/* BG95 and EG25-G: minutes */
	assert_int_equal(quectel_parse_qicfg_keepalive_test("+QICFG: "
	    "\"tcp/keepalive\",(0,1),(1-120),(25-100),(3-10)", &k), 0);
	assert_int_equal(k.idle_min, 1);
	assert_int_equal(k.idle_max, 120);
	assert_int_equal(k.unit, QUECTEL_KA_MINUTES);
	assert_int_equal(k.interval_min, 25);
	assert_int_equal(k.interval_max, 100);
	assert_int_equal(k.probes_min, 3);
	assert_int_equal(k.probes_max, 10);
	/* the seconds family, spaces, an enable range, missing groups */
	assert_int_equal(quectel_parse_qicfg_keepalive_test("+QICFG: "
	    "\"tcp/keepalive\", (0-1), (1-1800), (25-100)", &k), 0);
	assert_int_equal(k.idle_max, 1800);
	assert_int_equal(k.unit, QUECTEL_KA_SECONDS);
	assert_int_equal(k.interval_max, 100);
	assert_int_equal(k.probes_min, -1);
	assert_int_equal(quectel_parse_qicfg_keepalive_test("+QICFG:"
	    "tcp/keepalive,(0,1),(1,30,120)", &k), 0);
	assert_int_equal(k.idle_min, 1);
	assert_int_equal(k.idle_max, 120);
	assert_int_equal(k.interval_min, -1);
	/* a group of newer firmware after the probes is ignored */
	assert_int_equal(quectel_parse_qicfg_keepalive_test("+QICFG: "
	    "\"tcp/keepalive\",(0,1),(1-120),(25-100),(3-10),(1)", &k), 0);
	assert_int_equal(k.probes_max, 10);
	for (int i = 0; bad[i] != NULL; i++)
		assert_int_equal(quectel_parse_qicfg_keepalive_test(bad[i], &k),
		    -1);
}

static void
test_keepalive_read(void **state)
{
	struct quectel_keepalive k;

	(void)state;
	assert_int_equal(quectel_parse_qicfg_keepalive("+QICFG: "
	    "\"tcp/keepalive\",1,2,30,3", &k), 0);
	assert_int_equal(k.enable, 1);
	assert_int_equal(k.idle, 2);
	assert_int_equal(k.interval, 30);
	assert_int_equal(k.probes, 3);
	assert_int_equal(quectel_parse_qicfg_keepalive("+QICFG: "
	    "\"tcp/keepalive\",0", &k), 0);
	assert_int_equal(k.enable, 0);
	assert_int_equal(k.idle, -1);
	assert_int_equal(quectel_parse_qicfg_keepalive("+QICFG: "
	    "\"tcp/keepalive\",2", &k), -1);
	assert_int_equal(quectel_parse_qicfg_keepalive("+QICFG: "
	    "\"tcp/keepalive\",1,2", &k), -1);
	assert_int_equal(quectel_parse_qicfg_keepalive("+QICFG: "
	    "\"tcp/keepalive\",1,2,30,3,0", &k), 0);
	assert_int_equal(k.probes, 3);
	assert_int_equal(quectel_parse_qicfg_keepalive("+QICFG: "
	    "\"tcp/keepalive\",(0,1),(1-120)", &k), -1);
	assert_int_equal(quectel_parse_qicfg_keepalive("+QICFG: "
	    "\"tcp/keepalive\"", &k), -1);
	assert_int_equal(quectel_parse_qicfg_keepalive("+QICFG: "
	    "\"viewmode\",0", &k), -1);
}

static void
test_error_table(void **state)
{
	static const struct { int code; enum dial_error class; } want[] = {
		{ 561, DIAL_ERR_NO_CONTEXT }, { 570, DIAL_ERR_NO_CONTEXT },
		{ 573, DIAL_ERR_NO_CONTEXT }, { 564, DIAL_ERR_DNS },
		{ 565, DIAL_ERR_DNS }, { 566, DIAL_ERR_REFUSED },
		{ 567, DIAL_ERR_REFUSED }, { 569, DIAL_ERR_TIMEOUT },
		{ 563, DIAL_ERR_OTHER }, { 554, DIAL_ERR_OTHER },
	};

	(void)state;
	for (int code = 550; code <= 574; code++)
		assert_int_not_equal(quectel_error_class(code), DIAL_ERR_NONE);
	for (int code = 551; code <= 574; code++)	/* each has its text */
		assert_string_not_equal(quectel_error_name(code),
		    "unknown error");
	assert_string_equal(quectel_error_name(550), "unknown error");
	assert_string_equal(quectel_error_name(558), "socket write failed");
	assert_string_equal(quectel_error_name(563),
	    "socket identity has been used");
	assert_string_equal(quectel_error_name(565), "DNS parse failed");
	assert_string_equal(quectel_error_name(574), "port busy");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(quectel_error_class(want[i].code),
		    want[i].class);
	for (int code = 550; code <= 574; code++) {
		int listed = 0;
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			listed |= want[i].code == code;
		if (!listed)
			assert_int_equal(quectel_error_class(code),
			    DIAL_ERR_OTHER);
	}
	assert_int_equal(quectel_error_class(0), DIAL_ERR_NONE);
	assert_int_equal(quectel_error_class(549), DIAL_ERR_OTHER);
	assert_int_equal(quectel_error_class(575), DIAL_ERR_OTHER);
	assert_int_equal(quectel_error_class(-1), DIAL_ERR_OTHER);
	assert_string_equal(quectel_error_name(575), "unknown error");
	assert_string_equal(quectel_error_name(0), "operation successful");
}

static void
test_manufacturer(void **state)
{
	static const char *const yes[] = {
		"Quectel", "QUECTEL", "quectel", "Quectel_Ltd", "+CGMI: Quectel",
		"+GMI: Quectel_Ltd", "  Quectel  ", "Quectel Wireless Solutions",
		NULL,
	};
	static const char *const no[] = {
		"Telit", "", "Quect", "QuectelX", "Quectel\x01", "+CGMI: Telit",
		"SIMCOM_Ltd", "u-blox", "Quectel_\x7f", NULL,
	};

	(void)state;
	for (int i = 0; yes[i] != NULL; i++)
		assert_true(quectel_is_manufacturer(yes[i]));
	for (int i = 0; no[i] != NULL; i++)
		assert_false(quectel_is_manufacturer(no[i]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qiopen),
		cmocka_unit_test(test_qiurc_recv),
		cmocka_unit_test(test_qiurc_other_kinds),
		cmocka_unit_test(test_qistate),
		cmocka_unit_test(test_qistate_tolerant),
		cmocka_unit_test(test_qistate_liberal),
		cmocka_unit_test(test_qisend_info),
		cmocka_unit_test(test_qird),
		cmocka_unit_test(test_qiact),
		cmocka_unit_test(test_qigeterror),
		cmocka_unit_test(test_keepalive_test),
		cmocka_unit_test(test_keepalive_read),
		cmocka_unit_test(test_error_table),
		cmocka_unit_test(test_manufacturer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
