/* A Unix socket path about to be bound: a socket file left by a dead
 * process is removed; anything else there is left alone. */
#ifndef CELLSOCK_SOCKPATH_H
#define CELLSOCK_SOCKPATH_H

enum sockpath_stale {
	SOCKPATH_FREE,		/* nothing there */
	SOCKPATH_REMOVED,	/* a socket nobody answered on: removed */
	SOCKPATH_IN_USE,	/* a socket something answers on: left */
	SOCKPATH_NOT_SOCKET,	/* a file that is not a socket: left */
	SOCKPATH_TOO_LONG,	/* does not fit in sockaddr_un */
	SOCKPATH_ERROR,		/* lstat, socket or unlink failed: see errno */
};

/* Remove path if it is a socket that refuses connections; never remove
 * anything else. Logs nothing: the caller says what it means. */
enum sockpath_stale sockpath_remove_stale(const char *path);

#endif
