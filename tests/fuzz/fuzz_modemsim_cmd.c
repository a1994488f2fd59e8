/* libFuzzer target: the simulator's AT command-line parser and argument
 * splitter, on arbitrary bytes as one command line. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "modemsim/core/atparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct at_line line;
	static struct at_args args;
	long v;

	if (at_parse_line((const char *)data, size, &line) == -1)
		return 0;
	for (int i = 0; i < line.ncmds; i++) {
		if (strlen(line.cmd[i].name) >= AT_NAME_MAX)
			__builtin_trap();
		if (at_split_args(line.cmd[i].args, &args) == -1)
			continue;
		for (int j = 0; j <= args.argc; j++) {
			(void)at_arg_int(&args, j, -100000, 100000, &v);
			(void)at_arg_str(&args, j);
		}
	}
	return 0;
}
