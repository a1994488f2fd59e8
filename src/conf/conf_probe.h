/* A configuration file tried first in a short-lived child process: libconfig
 * 1.5 leaks on some syntax errors (the buffer of a string token on which the
 * error is found), so a file that is refused must never be parsed by the
 * long-running daemon itself. */
#ifndef CELLSOCK_CONF_PROBE_H
#define CELLSOCK_CONF_PROBE_H

#include "conf/conf.h"

/* As conf_load(), but the file is parsed first in a child that reports its
 * problems over a pipe and exits; only a file the child found valid is
 * parsed here. When the child cannot run, the file is parsed here. */
struct conf *conf_load_probed(const char *path, struct conf_errors *errs);

#endif
