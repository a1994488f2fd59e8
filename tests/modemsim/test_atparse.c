/* Unit tests of the simulator's AT command-line parser. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "modemsim/core/atparse.h"

static int
parse(const char *line, struct at_line *out)
{
	return at_parse_line(line, strlen(line), out);
}

static void
test_bare_at(void **state)
{
	struct at_line l;

	assert_int_equal(parse("AT", &l), 0);
	assert_int_equal(l.ncmds, 0);
	assert_int_equal(parse("at", &l), 0);
	assert_int_equal(parse("A", &l), -1);
	assert_int_equal(parse("", &l), -1);
	assert_int_equal(parse("XT", &l), -1);
}

static void
test_basic_commands(void **state)
{
	struct at_line l;

	assert_int_equal(parse("ATE0Q0V1", &l), 0);
	assert_int_equal(l.ncmds, 3);
	assert_string_equal(l.cmd[0].name, "E");
	assert_int_equal(l.cmd[0].type, AT_SET);
	assert_string_equal(l.cmd[0].args, "0");
	assert_string_equal(l.cmd[1].name, "Q");
	assert_string_equal(l.cmd[2].name, "V");
	assert_string_equal(l.cmd[2].args, "1");

	assert_int_equal(parse("ate", &l), 0);
	assert_int_equal(l.ncmds, 1);
	assert_string_equal(l.cmd[0].name, "E");
	assert_int_equal(l.cmd[0].type, AT_EXEC);
	assert_string_equal(l.cmd[0].args, "");

	assert_int_equal(parse("ATI4", &l), 0);
	assert_string_equal(l.cmd[0].name, "I");
	assert_string_equal(l.cmd[0].args, "4");
}

static void
test_ampersand_and_sregs(void **state)
{
	struct at_line l;

	assert_int_equal(parse("AT&K0;&C1;&D0", &l), 0);
	assert_int_equal(l.ncmds, 3);
	assert_string_equal(l.cmd[0].name, "&K");
	assert_string_equal(l.cmd[0].args, "0");
	assert_string_equal(l.cmd[2].name, "&D");

	assert_int_equal(parse("ATS12?", &l), 0);
	assert_string_equal(l.cmd[0].name, "S12");
	assert_int_equal(l.cmd[0].type, AT_READ);
	assert_int_equal(parse("ATS12=40", &l), 0);
	assert_int_equal(l.cmd[0].type, AT_SET);
	assert_string_equal(l.cmd[0].args, "40");
	assert_int_equal(parse("ATS=4", &l), -1);
	assert_int_equal(parse("AT&", &l), -1);
}

static void
test_extended(void **state)
{
	struct at_line l;

	assert_int_equal(parse("AT+CREG?", &l), 0);
	assert_string_equal(l.cmd[0].name, "+CREG");
	assert_int_equal(l.cmd[0].type, AT_READ);

	assert_int_equal(parse("AT+creg=?", &l), 0);
	assert_string_equal(l.cmd[0].name, "+CREG");
	assert_int_equal(l.cmd[0].type, AT_TEST);

	assert_int_equal(parse("AT#SGACT=1,1", &l), 0);
	assert_string_equal(l.cmd[0].name, "#SGACT");
	assert_int_equal(l.cmd[0].type, AT_SET);
	assert_string_equal(l.cmd[0].args, "1,1");

	assert_int_equal(parse("AT#SS", &l), 0);
	assert_int_equal(l.cmd[0].type, AT_EXEC);

	assert_int_equal(parse("AT#SCFGEXT2=1,1", &l), 0);
	assert_string_equal(l.cmd[0].name, "#SCFGEXT2");
}

static void
test_chains_and_quotes(void **state)
{
	struct at_line l;

	assert_int_equal(parse("ATE0;+CMEE=2;#SD=1,0,80,\"a;b\",0,0,1", &l), 0);
	assert_int_equal(l.ncmds, 3);
	assert_string_equal(l.cmd[1].name, "+CMEE");
	assert_string_equal(l.cmd[1].args, "2");
	assert_string_equal(l.cmd[2].args, "1,0,80,\"a;b\",0,0,1");

	assert_int_equal(parse("AT+CGDCONT=1,\"IP", &l), -1);
	assert_int_equal(parse("AT+CREG?X", &l), -1);
	assert_int_equal(parse("AT+", &l), -1);
	assert_int_equal(parse("ATE0!", &l), -1);
}

static void
test_too_many_commands(void **state)
{
	struct at_line l;
	char line[128] = "AT";

	for (int i = 0; i < AT_CMDS_MAX; i++)
		strcat(line, "E0");
	assert_int_equal(parse(line, &l), 0);
	strcat(line, "E0");
	assert_int_equal(parse(line, &l), -1);
}

static void
test_split_args(void **state)
{
	struct at_args a;
	long v;

	assert_int_equal(at_split_args("1,0,80,\"host, name\",,255", &a), 0);
	assert_int_equal(a.argc, 6);
	assert_int_equal(at_arg_int(&a, 0, 1, 6, &v), 1);
	assert_int_equal(v, 1);
	assert_int_equal(at_arg_int(&a, 2, 1, 79, &v), -1);
	assert_string_equal(at_arg_str(&a, 3), "host, name");
	assert_true(a.argv[3].quoted);
	assert_false(a.argv[4].present);
	assert_int_equal(at_arg_int(&a, 4, 0, 1, &v), 0);
	assert_null(at_arg_str(&a, 4));
	assert_int_equal(at_arg_int(&a, 9, 0, 1, &v), 0);
	assert_int_equal(at_arg_int(&a, 3, 0, 1, &v), -1);

	assert_int_equal(at_split_args("", &a), 0);
	assert_int_equal(a.argc, 0);
	assert_int_equal(at_split_args("1,", &a), 0);
	assert_int_equal(a.argc, 2);
	assert_int_equal(at_split_args("\"\"", &a), 0);
	assert_true(a.argv[0].present);
	assert_string_equal(at_arg_str(&a, 0), "");
	assert_int_equal(at_split_args("\"abc", &a), -1);
	assert_int_equal(at_split_args("ab\"c\"", &a), -1);
	assert_int_equal(at_split_args(" 7 ", &a), 0);
	assert_int_equal(at_arg_int(&a, 0, 0, 9, &v), 1);
	assert_int_equal(v, 7);
	assert_int_equal(at_split_args("-1", &a), 0);
	assert_int_equal(at_arg_int(&a, 0, -5, 5, &v), -1);
	assert_int_equal(at_split_args("99999999999999999999", &a), 0);
	assert_int_equal(at_arg_int(&a, 0, 0, 10, &v), -1);
}

static void
test_split_args_limit(void **state)
{
	struct at_args a;
	char args[64] = "";

	for (int i = 0; i < AT_ARGS_MAX; i++)
		strcat(args, i ? ",1" : "1");
	assert_int_equal(at_split_args(args, &a), 0);
	assert_int_equal(a.argc, AT_ARGS_MAX);
	strcat(args, ",1");
	assert_int_equal(at_split_args(args, &a), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare_at),
		cmocka_unit_test(test_basic_commands),
		cmocka_unit_test(test_ampersand_and_sregs),
		cmocka_unit_test(test_extended),
		cmocka_unit_test(test_chains_and_quotes),
		cmocka_unit_test(test_too_many_commands),
		cmocka_unit_test(test_split_args),
		cmocka_unit_test(test_split_args_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
