/*
 * inroot.c - see inroot.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inroot.h"

static int
open_in(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		/* /proc/self/fd-style links jump anywhere: never. */
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	while (*path == '/')
		path++;
	return ((int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how,
	    sizeof (how)));
}

int
inroot_open(const char *root, const char *path, int flags)
{
	int rfd, fd, e;

	if ((rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return (-1);
	fd = open_in(rfd, path, flags);
	e = errno;
	close(rfd);
	errno = e;
	return (fd);
}

int
inroot_open_file(const char *root, const char *path)
{
	struct stat st;
	int fd = inroot_open(root, path, O_RDONLY);

	if (fd < 0)
		return (-1);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return (-1);
	}
	return (fd);
}

int
inroot_realpath(const char *root, const char *path, char *buf, size_t sz)
{
	char link[64];
	ssize_t n;
	int fd, e;

	if ((fd = inroot_open(root, path, O_PATH)) < 0)
		return (-1);
	snprintf(link, sizeof (link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sz);
	e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return (-1);
	}
	if ((size_t)n >= sz) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	buf[n] = '\0';
	return (0);
}

int
inroot_dirs(const char *root, const char *rel, bool create)
{
	char part[256];
	const char *p = rel;
	size_t n;
	int fd, next, e;

	if ((fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return (-1);
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, "/");
		if (n >= sizeof (part)) {
			close(fd);
			errno = ENAMETOOLONG;
			return (-1);
		}
		memcpy(part, p, n);
		part[n] = '\0';
		p += n;
		if (strcmp(part, "..") == 0) {
			close(fd);
			errno = EINVAL;
			return (-1);
		}
		if (strcmp(part, ".") == 0)
			continue;
		next = openat(fd, part, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, part, 0755) != 0 && errno != EEXIST) {
				e = errno;
				close(fd);
				errno = e;
				return (-1);
			}
			next = openat(fd, part, O_PATH | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			struct stat st;

			e = errno;
			/* O_PATH|O_NOFOLLOW on a symlink opens the link:
			 * tell it apart from other non-directories. */
			if (e == ENOTDIR && fstatat(fd, part, &st,
			    AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				e = ELOOP;
			close(fd);
			errno = e;
			return (-1);
		}
		close(fd);
		fd = next;
	}
	close(fd);
	return (0);
}
