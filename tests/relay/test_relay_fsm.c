/* The relay's machines (src/relay/relay_fsm.c): every (state, event) pair
 * of every table has a row, names are complete, and a step follows the
 * table (ignored and unreachable rows change nothing). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "log.h"
#include "relay/relay_fsm.h"

static void
test_tables_complete(void **state)
{
	assert_true(relay_fsm_complete());
}

static void
test_machine_sizes(void **state)
{
	assert_int_equal(relay_conn_fsm.n_states, RC_STATE_COUNT);
	assert_int_equal(relay_conn_fsm.n_events, RCE_COUNT);
	assert_int_equal(relay_client_fsm.n_states, CL_STATE_COUNT);
	assert_int_equal(relay_client_fsm.n_events, CLE_COUNT);
	assert_int_equal(relay_session_fsm.n_states, SS_STATE_COUNT);
	assert_int_equal(relay_session_fsm.n_events, SSE_COUNT);
	assert_int_equal(relay_op_fsm.n_states, OPS_STATE_COUNT);
	assert_int_equal(relay_op_fsm.n_events, OPE_COUNT);
	assert_int_equal(relay_demand_fsm.n_states, RD_STATE_COUNT);
	assert_int_equal(relay_demand_fsm.n_events, RDE_COUNT);
	for (int i = 0; i < OP_COUNT; i++)
		assert_non_null(relay_op_names[i]);
}

/* A connection's life: up, down, the last requests, the account. */
static void
test_conn_life(void **state)
{
	int s = RC_IDLE;

	assert_int_equal(relay_fsm_step(&relay_conn_fsm, &s, RCE_DOWN, "t", ""), RC_IDLE);
	assert_int_equal(relay_fsm_step(&relay_conn_fsm, &s, RCE_UP, "t", ""), RC_UP);
	assert_int_equal(relay_fsm_step(&relay_conn_fsm, &s, RCE_DOWN, "t", ""), RC_DRAINING);
	assert_int_equal(relay_fsm_step(&relay_conn_fsm, &s, RCE_ISSUE, "t", ""), RC_ISSUING);
	/* unreachable: logged, no change */
	assert_int_equal(relay_fsm_step(&relay_conn_fsm, &s, RCE_UP, "t", ""), RC_ISSUING);
	assert_int_equal(relay_fsm_step(&relay_conn_fsm, &s, RCE_ISSUED, "t", ""), RC_DRAINING);
	assert_int_equal(relay_fsm_step(&relay_conn_fsm, &s, RCE_SETTLED, "t", ""), RC_IDLE);
	assert_int_equal(relay_fsm_step(&relay_conn_fsm, &s, RCE_FREE, "t", ""), RC_FREED);
}

/* A transparent client: open, paused, EOF, closing, gone. */
static void
test_client_life(void **state)
{
	int s = CL_NONE;

	assert_int_equal(relay_fsm_step(&relay_client_fsm, &s, CLE_ACCEPT, "t", ""), CL_OPEN);
	assert_int_equal(relay_fsm_step(&relay_client_fsm, &s, CLE_FULL, "t", ""), CL_PAUSED);
	assert_int_equal(relay_fsm_step(&relay_client_fsm, &s, CLE_EOF, "t", ""), CL_EOF);
	assert_int_equal(relay_fsm_step(&relay_client_fsm, &s, CLE_ROOM, "t", ""), CL_EOF);
	assert_int_equal(relay_fsm_step(&relay_client_fsm, &s, CLE_CLOSE, "t", ""), CL_CLOSING);
	assert_int_equal(relay_fsm_step(&relay_client_fsm, &s, CLE_EOF, "t", ""), CL_CLOSING);
	assert_int_equal(relay_fsm_step(&relay_client_fsm, &s, CLE_GONE, "t", ""), CL_NONE);
}

/* A read in flight remembers data announced meanwhile. */
static void
test_op_more(void **state)
{
	int s = OPS_IDLE;

	assert_int_equal(relay_fsm_step(&relay_op_fsm, &s, OPE_MORE, "t", "recv"), OPS_IDLE);
	assert_int_equal(relay_fsm_step(&relay_op_fsm, &s, OPE_ISSUE, "t", "recv"), OPS_BUSY);
	assert_int_equal(relay_fsm_step(&relay_op_fsm, &s, OPE_MORE, "t", "recv"),
	    OPS_BUSY_MORE);
	assert_int_equal(relay_fsm_step(&relay_op_fsm, &s, OPE_ANSWER, "t", "recv"), OPS_IDLE);
	assert_int_equal(relay_fsm_step(&relay_op_fsm, &s, OPE_ISSUE, "t", "recv"), OPS_BUSY);
	assert_int_equal(relay_fsm_step(&relay_op_fsm, &s, OPE_GONE, "t", "recv"), OPS_IDLE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_complete),
		cmocka_unit_test(test_machine_sizes),
		cmocka_unit_test(test_conn_life),
		cmocka_unit_test(test_client_life),
		cmocka_unit_test(test_op_more),
	};

	log_init("test_relay_fsm", LOG_LEVEL_DEBUG);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
