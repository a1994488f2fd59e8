/* The shared stale-socket check: only a socket nobody answers on is
 * removed; a file, a symlink or a live socket is left alone. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockpath.h"

static char dir[64];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/cellsock-sockpath-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	assert_int_equal(rmdir(dir), 0);
	return 0;
}

/* A socket bound at path; listening or not. Returns its fd. */
static int
bound(const char *path, int listening)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (listening)
		assert_int_equal(listen(fd, 1), 0);
	return fd;
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void
test_nothing_there(void **state)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/none.sock", dir);
	assert_int_equal(sockpath_remove_stale(path), SOCKPATH_FREE);
	snprintf(path, sizeof(path), "%s/nodir/none.sock", dir);
	assert_int_equal(sockpath_remove_stale(path), SOCKPATH_FREE);
}

static void
test_regular_file_kept(void **state)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cellsockd.conf", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_int_equal(sockpath_remove_stale(path), SOCKPATH_NOT_SOCKET);
	assert_true(exists(path));
	assert_int_equal(unlink(path), 0);
}

static void
test_symlink_to_socket_kept(void **state)
{
	char path[128], link[128];
	int fd;

	snprintf(path, sizeof(path), "%s/real.sock", dir);
	snprintf(link, sizeof(link), "%s/link.sock", dir);
	fd = bound(path, 0);
	close(fd);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(sockpath_remove_stale(link), SOCKPATH_NOT_SOCKET);
	assert_true(exists(link));
	assert_int_equal(unlink(link), 0);
	assert_int_equal(unlink(path), 0);
}

static void
test_stale_socket_removed(void **state)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/stale.sock", dir);
	close(bound(path, 0));
	assert_int_equal(sockpath_remove_stale(path), SOCKPATH_REMOVED);
	assert_false(exists(path));
}

static void
test_live_socket_kept(void **state)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/live.sock", dir);
	fd = bound(path, 1);
	assert_int_equal(sockpath_remove_stale(path), SOCKPATH_IN_USE);
	assert_true(exists(path));
	close(fd);
	assert_int_equal(unlink(path), 0);
}

static void
test_too_long(void **state)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];

	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(sockpath_remove_stale(path), SOCKPATH_TOO_LONG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_there),
		cmocka_unit_test(test_regular_file_kept),
		cmocka_unit_test(test_symlink_to_socket_kept),
		cmocka_unit_test(test_stale_socket_removed),
		cmocka_unit_test(test_live_socket_kept),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
