// SPDX-License-Identifier: GPL-2.0
/* systemd notifications, see notify.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "notify.h"
#include "output.h"

void notify(const char *fmt, ...)
{
	static bool warned;
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[512];
	socklen_t len;
	va_list ap;
	int fd, n;

	if (!path || !path[0])
		return;
	if ((path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path)) {
		errno = EINVAL;
		goto err;
	}
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg)) {
		errno = EMSGSIZE;
		goto err;
	}
	memcpy(sa.sun_path, path, strlen(path));
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract: no trailing NUL either */
	else
		len++;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	if (sendto(fd, msg, n, MSG_NOSIGNAL, (struct sockaddr *)&sa, len) != n) {
		close(fd);
		goto err;
	}
	close(fd);
	return;
err:
	if (!warned)
		say("cannot notify systemd at %s: %s", path,
			strerror(errno));
	warned = true;
}
