/*
 * efivar.c - systemd-boot's loader variables (LoaderEntryOneShot and the
 * like) through efivarfs.  Only libc: the unit tests link this file and
 * point it at a plain directory with BEADM_TEST_EFIVARS.
 *
 * efivarfs turns each write(2) into one SetVariable() call, so a variable
 * is written with a single write of attributes and data; a short or split
 * write would set a truncated variable.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "efivar.h"
#include "test_seam.h"

#define	EFIVARS_DIR		"/sys/firmware/efi/efivars"
#define	EFIVARFS_MAGIC_NUM	0xde5e81e4
#define	EFIVAR_ATTR_LEN		4
/* Loader variables are short strings; anything longer is not one. */
#define	EFIVAR_DATA_MAX		65536

int
efivar_encode(const char *value, uint8_t *buf, size_t sz)
{
	size_t len = strlen(value);
	size_t need = EFIVAR_ATTR_LEN + 2 * (len + 1);

	if (need > sz || need > EFIVAR_DATA_MAX)
		return (-1);
	buf[0] = EFIVAR_ATTRS & 0xff;
	buf[1] = (EFIVAR_ATTRS >> 8) & 0xff;
	buf[2] = (EFIVAR_ATTRS >> 16) & 0xff;
	buf[3] = (EFIVAR_ATTRS >> 24) & 0xff;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c > 0x7f)
			return (-1);
		buf[EFIVAR_ATTR_LEN + 2 * i] = c;
		buf[EFIVAR_ATTR_LEN + 2 * i + 1] = 0;
	}
	return ((int)need);
}

bool
efivar_decode(const uint8_t *data, size_t len, char *buf, size_t sz)
{
	size_t out = 0;

	if (len < EFIVAR_ATTR_LEN || (len - EFIVAR_ATTR_LEN) % 2 != 0 ||
	    sz == 0)
		return (false);
	/* The terminating NUL is optional: the length says where it ends. */
	for (size_t i = EFIVAR_ATTR_LEN; i < len; i += 2) {
		unsigned unit = data[i] | (unsigned)data[i + 1] << 8;

		if (unit == 0)
			break;
		if (out + 1 >= sz)
			return (false);
		buf[out++] = unit < 0x80 ? (char)unit : '?';
	}
	buf[out] = '\0';
	return (true);
}

bool
efivar_available(char *dir, size_t sz)
{
	const char *test = test_seam("BEADM_TEST_EFIVARS");
	struct statfs sfs;
	struct stat st;
	int n;

	if (test != NULL && test[0] != '\0') {
		if (stat(test, &st) != 0 || !S_ISDIR(st.st_mode))
			return (false);
	} else {
		/* A bare directory there is not firmware: only efivarfs is. */
		if (statfs(EFIVARS_DIR, &sfs) != 0 ||
		    (unsigned long)sfs.f_type != EFIVARFS_MAGIC_NUM)
			return (false);
		test = EFIVARS_DIR;
	}
	n = snprintf(dir, sz, "%s", test);
	return (n >= 0 && (size_t)n < sz);
}

/* Variable names become file names: keep them to what the loader uses. */
static bool
name_valid(const char *name)
{
	if (name == NULL || name[0] == '\0' || strlen(name) > 128)
		return (false);
	for (const char *p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_'))
			return (false);
	return (true);
}

static int
var_path(const char *name, char *path, size_t sz)
{
	char dir[PATH_MAX];
	int n;

	if (!name_valid(name))
		return (EINVAL);
	if (!efivar_available(dir, sizeof (dir)))
		return (ENODEV);
	n = snprintf(path, sz, "%s/%s-%s", dir, name, EFIVAR_LOADER_GUID);
	if (n < 0 || (size_t)n >= sz)
		return (ENAMETOOLONG);
	return (0);
}

static bool
flags_unsupported(int err)
{
	return (err == ENOTTY || err == EOPNOTSUPP || err == ENOSYS);
}

/*
 * Clear FS_IMMUTABLE_FL on path, which efivarfs sets on variables it does
 * not know to be safe to change.  *was_set says whether it was set, for
 * restore_immutable().  A missing file or a file system without flags (a
 * test directory) is fine.
 */
static int
clear_immutable(const char *path, bool *was_set)
{
	int fd, flags, err = 0;

	*was_set = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return (errno == ENOENT ? 0 : errno);
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) {
		err = flags_unsupported(errno) ? 0 : errno;
	} else if ((flags & FS_IMMUTABLE_FL) != 0) {
		flags &= ~FS_IMMUTABLE_FL;
		if (ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0)
			err = errno;
		else
			*was_set = true;
	}
	(void) close(fd);
	return (err);
}

/* Put the immutable flag back, as systemd does; failing to is harmless. */
static void
restore_immutable(int fd)
{
	int flags;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0)
		return;
	flags |= FS_IMMUTABLE_FL;
	(void) ioctl(fd, FS_IOC_SETFLAGS, &flags);
}

int
efivar_get_string(const char *name, char *buf, size_t sz)
{
	char path[PATH_MAX];
	uint8_t *data;
	ssize_t got;
	size_t len = 0;
	int fd, err;

	if ((err = var_path(name, path, sizeof (path))) != 0)
		return (err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return (errno);
	if ((data = malloc(EFIVAR_DATA_MAX)) == NULL) {
		(void) close(fd);
		return (ENOMEM);
	}
	while (len < EFIVAR_DATA_MAX &&
	    (got = read(fd, data + len, EFIVAR_DATA_MAX - len)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = errno;
			break;
		}
		len += (size_t)got;
	}
	(void) close(fd);
	if (err == 0 && len == EFIVAR_DATA_MAX)
		err = EFBIG;
	/* decode fails on bad data or a small buffer; the shape tells which. */
	if (err == 0 && !efivar_decode(data, len, buf, sz))
		err = len >= EFIVAR_ATTR_LEN &&
		    (len - EFIVAR_ATTR_LEN) % 2 == 0 ? ERANGE : EILSEQ;
	free(data);
	return (err);
}

/* Write data to path in one write(2); see the top of the file. */
static int
write_var(const char *path, const uint8_t *data, size_t len, bool immutable)
{
	struct stat st;
	ssize_t put;
	int fd, err = 0;

	/* No O_TRUNC: efivarfs replaces the variable on write. */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return (errno);
	do {
		put = write(fd, data, len);
	} while (put < 0 && errno == EINTR);
	if (put < 0)
		err = errno;
	else if ((size_t)put != len)
		err = EIO;
	/* A plain file (tests) keeps a longer old value's tail otherwise. */
	if (err == 0 && fstat(fd, &st) == 0 && st.st_size > (off_t)len &&
	    ftruncate(fd, (off_t)len) != 0)
		err = errno;
	if (immutable)
		restore_immutable(fd);
	if (close(fd) != 0 && err == 0)
		err = errno;
	return (err);
}

int
efivar_set_string(const char *name, const char *value)
{
	char path[PATH_MAX];
	uint8_t *data;
	size_t cap;
	bool immutable;
	int len, err;

	if ((err = var_path(name, path, sizeof (path))) != 0)
		return (err);
	cap = EFIVAR_ATTR_LEN + 2 * (strlen(value) + 1);
	if (cap > EFIVAR_DATA_MAX)
		return (E2BIG);
	if ((data = malloc(cap)) == NULL)
		return (ENOMEM);
	if ((len = efivar_encode(value, data, cap)) < 0) {
		free(data);
		return (EINVAL);
	}
	if ((err = clear_immutable(path, &immutable)) == 0)
		err = write_var(path, data, (size_t)len, immutable);
	free(data);
	return (err);
}

int
efivar_delete(const char *name)
{
	char path[PATH_MAX];
	bool immutable;
	int err;

	if ((err = var_path(name, path, sizeof (path))) != 0)
		return (err);
	if ((err = clear_immutable(path, &immutable)) != 0)
		return (err);
	if (unlink(path) != 0 && errno != ENOENT)
		return (errno);
	return (0);
}
