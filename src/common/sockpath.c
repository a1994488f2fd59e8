#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sockpath.h"

/* Whether something accepts a connection on sun: 1, 0, or -1 with *error. */
static int
sockpath_answers(const struct sockaddr_un *sun, int *error)
{
	int fd, ret;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		*error = errno;
		return -1;
	}
	ret = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	return ret == 0;
}

enum sockpath_stale
sockpath_remove_stale(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int answers, error = 0;

	if (strlen(path) >= sizeof(sun.sun_path))
		return SOCKPATH_TOO_LONG;
	if (lstat(path, &st) == -1)
		return errno == ENOENT ? SOCKPATH_FREE : SOCKPATH_ERROR;
	if (!S_ISSOCK(st.st_mode))
		return SOCKPATH_NOT_SOCKET;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((answers = sockpath_answers(&sun, &error)) == -1) {
		errno = error;
		return SOCKPATH_ERROR;
	}
	if (answers)
		return SOCKPATH_IN_USE;
	if (unlink(path) == -1)
		return errno == ENOENT ? SOCKPATH_FREE : SOCKPATH_ERROR;
	return SOCKPATH_REMOVED;
}
