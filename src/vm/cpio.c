/*
 * cpio.c - the newc cpio writer (see cpio.h).
 *
 * newc: a 110-byte ASCII header ("070701" and 13 eight-digit hex fields),
 * the name with its NUL, padding to 4 bytes, the data, padding to 4 bytes.
 * The kernel's unpacker (init/initramfs.c) needs nothing more.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"

static const char zeros[4];

static int
put(struct cpio *c, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (c->failed == 0 && len > 0) {
		n = write(c->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->failed = n < 0 ? errno : EIO;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (c->failed != 0) {
		errno = c->failed;
		return (-1);
	}
	return (0);
}

static int
pad(struct cpio *c, size_t len)
{
	return (put(c, zeros, (4 - len % 4) % 4));
}

static int
header(struct cpio *c, const char *name, mode_t mode, size_t size,
    unsigned nlink)
{
	char hdr[128];
	size_t namesz = strlen(name) + 1;

	/* newc fields are 32 bits: a larger file cannot be written. */
	if (size > 0xffffffffu) {
		errno = EFBIG;
		return (-1);
	}
	snprintf(hdr, sizeof (hdr), "070701%08X%08X%08X%08X%08X%08X%08X"
	    "%08X%08X%08X%08X%08X%08X", (unsigned)(c->ino++ & 0xffffffffu),
	    (unsigned)mode, 0u, 0u, nlink, 0u, (unsigned)size, 0u, 0u, 0u, 0u,
	    (unsigned)namesz, 0u);
	if (put(c, hdr, 110) != 0 || put(c, name, namesz) != 0)
		return (-1);
	return (pad(c, 110 + namesz));
}

void
cpio_open(struct cpio *c, int fd)
{
	c->fd = fd;
	c->ino = 1;
	c->failed = 0;
}

int
cpio_dir(struct cpio *c, const char *name, mode_t perm)
{
	return (header(c, name, S_IFDIR | (perm & 07777), 0, 2));
}

int
cpio_file(struct cpio *c, const char *name, mode_t perm, const void *data,
    size_t size)
{
	if (header(c, name, S_IFREG | (perm & 07777), size, 1) != 0 ||
	    put(c, data, size) != 0)
		return (-1);
	return (pad(c, size));
}

int
cpio_copy(struct cpio *c, const char *name, mode_t perm, const char *path)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (-1);
	return (cpio_copy_fd(c, name, perm, fd));
}

int
cpio_copy_fd(struct cpio *c, const char *name, mode_t perm, int fd)
{
	struct stat st;
	char buf[65536];
	size_t left;
	ssize_t n;
	int rc = -1, saved;

	if (fstat(fd, &st) != 0)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto out;
	}
	if (header(c, name, S_IFREG | (perm & 07777), (size_t)st.st_size,
	    1) != 0)
		goto out;
	/* Exactly the size in the header, even if the file changes. */
	for (left = (size_t)st.st_size; left > 0; left -= (size_t)n) {
		n = read(fd, buf, left < sizeof (buf) ? left : sizeof (buf));
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			c->failed = n < 0 ? errno : EIO;
			errno = c->failed;
			goto out;
		}
		if (put(c, buf, (size_t)n) != 0)
			goto out;
	}
	rc = pad(c, (size_t)st.st_size);
out:
	saved = errno;
	close(fd);
	errno = saved;
	return (rc);
}

int
cpio_close(struct cpio *c)
{
	return (header(c, "TRAILER!!!", 0, 0, 1));
}
