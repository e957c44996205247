/*
 * esp_io.c - crash-safe file operations below an ESP mount point.
 *
 * The ESP is FAT and the firmware reads it whenever the machine starts,
 * however beadm was interrupted.  So a file is never changed in place: it
 * is written as "<name>.beadm-tmp", fsynced, renamed over its name, and the
 * directory is fsynced so the rename itself is on disk.  A crash leaves the
 * old file or the new one, and at worst a temporary file that the next
 * write replaces or kstore_gc() removes.
 *
 * Paths are walked one component at a time with openat(O_NOFOLLOW) from
 * the mount point, so no symbolic link (which FAT cannot hold anyway, but a
 * test directory can) leads a write outside the ESP.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esp_io.h"
#include "read_whole.h"
#include "test_seam.h"

#define	COPY_CHUNK	(1024 * 1024)
#define	DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_CLOEXEC | \
	O_NOFOLLOW)

/* Relative, and never climbing out of the ESP. */
static int
check_rel(const char *rel)
{
	const char *p;

	if (rel == NULL || rel[0] == '/')
		return (EINVAL);
	for (p = rel; *p != '\0'; ) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return (EINVAL);
		p += len;
		if (*p == '/')
			p++;
	}
	return (0);
}

static int
open_root(const char *root, int *fdp)
{
	/* The mount point itself may be reached through a link. */
	if ((*fdp = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return (errno);
	return (0);
}

/* Open directory name in dfd, creating it when create is set. */
static int
open_child_dir(int dfd, const char *name, bool create, int *fdp)
{
	if ((*fdp = openat(dfd, name, DIR_FLAGS)) >= 0)
		return (0);
	if (errno != ENOENT || !create)
		return (errno);
	test_crash_point();
	if (mkdirat(dfd, name, 0755) != 0 && errno != EEXIST)
		return (errno);
	/* The new directory's entry is in its parent: make it durable. */
	if (fsync(dfd) != 0)
		return (errno);
	if ((*fdp = openat(dfd, name, DIR_FLAGS)) < 0)
		return (errno);
	return (0);
}

/*
 * Walk path[0..len) from the directory dfd (which this closes), creating
 * missing directories when create is set; *fdp gets the last one.
 */
static int
walk(int dfd, const char *path, size_t len, bool create, int *fdp)
{
	const char *p = path, *end = path + len;
	char name[NAME_MAX + 1];
	int err = 0;

	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t clen = (size_t)((slash != NULL ? slash : end) - p);
		int next;

		if (clen >= sizeof (name)) {
			err = ENAMETOOLONG;
			break;
		}
		memcpy(name, p, clen);
		name[clen] = '\0';
		p += clen + (slash != NULL);
		if (clen == 0 || strcmp(name, ".") == 0)
			continue;
		if ((err = open_child_dir(dfd, name, create, &next)) != 0)
			break;
		(void) close(dfd);
		dfd = next;
	}
	if (err != 0) {
		(void) close(dfd);
		return (err);
	}
	*fdp = dfd;
	return (0);
}

/* Open the directory rel names; "" is the mount point. */
static int
open_dir(const char *root, const char *rel, bool create, int *fdp)
{
	int err, rfd;

	if ((err = check_rel(rel)) != 0)
		return (err);
	if ((err = open_root(root, &rfd)) != 0)
		return (err);
	return (walk(rfd, rel, strlen(rel), create, fdp));
}

/* Split rel into its directory part (*dirlen bytes) and base, its last
 * component, which must name a file. */
static int
split_rel(const char *rel, size_t *dirlen, char *base, size_t basesz)
{
	const char *slash, *name;
	int err;

	if ((err = check_rel(rel)) != 0)
		return (err);
	slash = strrchr(rel, '/');
	name = slash != NULL ? slash + 1 : rel;
	if (name[0] == '\0' || strcmp(name, ".") == 0)
		return (EINVAL);
	if (strlen(name) >= basesz)
		return (ENAMETOOLONG);
	(void) strcpy(base, name);
	*dirlen = (size_t)(name - rel);
	return (0);
}

/* Open the directory that holds rel; base gets rel's last component. */
static int
open_parent(const char *root, const char *rel, int *fdp, char *base,
    size_t basesz)
{
	size_t dirlen;
	int err, rfd;

	if ((err = split_rel(rel, &dirlen, base, basesz)) != 0)
		return (err);
	if ((err = open_root(root, &rfd)) != 0)
		return (err);
	return (walk(rfd, rel, dirlen, false, fdp));
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return (errno);
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Fills the temporary file fd with the new content. */
typedef int (*fill_fn)(int fd, const void *arg);

/*
 * The one way a file on the ESP changes: temporary file, fsync, rename,
 * fsync of the directory.  See the top of the file.
 */
static int
replace_file(const char *root, const char *rel, fill_fn fill, const void *arg)
{
	char base[NAME_MAX + 1], tmp[NAME_MAX + 1];
	int dfd, fd, err;

	if ((err = open_parent(root, rel, &dfd, base, sizeof (base))) != 0)
		return (err);
	if ((size_t)snprintf(tmp, sizeof (tmp), "%s%s", base,
	    ESP_TMP_SUFFIX) >= sizeof (tmp)) {
		(void) close(dfd);
		return (ENAMETOOLONG);
	}
	test_crash_point();
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644);
	if (fd < 0) {
		err = errno;
		(void) close(dfd);
		return (err);
	}
	err = fill(fd, arg);
	if (err == 0 && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0) {
		test_crash_point();
		if (renameat(dfd, tmp, dfd, base) != 0)
			err = errno;
	}
	if (err != 0)
		(void) unlinkat(dfd, tmp, 0);
	else if (fsync(dfd) != 0)
		err = errno;
	(void) close(dfd);
	return (err);
}

struct bytes {
	const void *buf;
	size_t len;
};

static int
fill_bytes(int fd, const void *arg)
{
	const struct bytes *b = arg;

	return (write_all(fd, b->buf, b->len));
}

int
esp_write(const char *root, const char *rel, const void *buf, size_t len)
{
	struct bytes b = { buf, len };

	return (replace_file(root, rel, fill_bytes, &b));
}

/* read(2)/write(2) through a buffer, from both files' current offsets. */
static int
copy_rw(int in, int out)
{
	char *buf = malloc(COPY_CHUNK);
	int err = 0;

	if (buf == NULL)
		return (ENOMEM);
	for (;;) {
		ssize_t n = read(in, buf, COPY_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = errno;
		if (n <= 0)
			break;
		if ((err = write_all(out, buf, (size_t)n)) != 0)
			break;
	}
	free(buf);
	return (err);
}

/* copy_file_range(2) fails this way where the kernel or the pair of file
 * systems cannot do it; read and write then do. */
static bool
copy_range_unsupported(int err)
{
	return (err == EXDEV || err == ENOSYS || err == EINVAL ||
	    err == EOPNOTSUPP || err == EBADF);
}

static int
fill_copy(int out, const void *arg)
{
	int in = *(const int *)arg;
	bool copied = false;

	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, COPY_CHUNK,
		    0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && !copy_range_unsupported(errno))
			return (errno);
		/* Some kernels answer 0 at once where they cannot copy. */
		if (n < 0 || (n == 0 && !copied))
			break;
		if (n == 0)
			return (0);
		copied = true;
	}
	return (copy_rw(in, out));
}

int
esp_copy(const char *root, const char *rel, const char *src)
{
	int in, err;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return (errno);
	err = replace_file(root, rel, fill_copy, &in);
	(void) close(in);
	return (err);
}

int
esp_unlink(const char *root, const char *rel)
{
	char base[NAME_MAX + 1];
	struct stat st;
	size_t dirlen;
	int dfd, rfd, err;

	if ((err = split_rel(rel, &dirlen, base, sizeof (base))) != 0)
		return (err);
	/* A missing ESP is an error; a missing directory in it is not. */
	if ((err = open_root(root, &rfd)) != 0)
		return (err);
	if ((err = walk(rfd, rel, dirlen, false, &dfd)) != 0)
		return (err == ENOENT ? 0 : err);
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		err = errno == ENOENT ? 0 : errno;
	} else {
		test_crash_point();
		if (unlinkat(dfd, base, 0) != 0)
			err = errno == ENOENT ? 0 : errno;
		else if (fsync(dfd) != 0)
			err = errno;
	}
	(void) close(dfd);
	return (err);
}

int
esp_mkdirs(const char *root, const char *rel)
{
	int fd, err;

	if ((err = open_dir(root, rel, true, &fd)) != 0)
		return (err);
	(void) close(fd);
	return (0);
}

int
esp_read(const char *root, const char *rel, char **buf, size_t *len)
{
	char base[NAME_MAX + 1];
	int dfd, fd, err;

	if ((err = open_parent(root, rel, &dfd, base, sizeof (base))) != 0)
		return (err);
	fd = openat(dfd, base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	err = fd < 0 ? errno : 0;
	(void) close(dfd);
	if (err != 0)
		return (err);
	err = read_whole_fd(fd, SIZE_MAX, buf, len);
	(void) close(fd);
	return (err);
}

static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Append a copy of name to the growing array *names. */
static int
names_add(char ***names, size_t *n, size_t *cap, const char *name)
{
	if (*n == *cap) {
		size_t ncap = *cap > 0 ? *cap * 2 : 16;
		char **nn = realloc(*names, ncap * sizeof (*nn));

		if (nn == NULL)
			return (ENOMEM);
		*names = nn;
		*cap = ncap;
	}
	if (((*names)[*n] = strdup(name)) == NULL)
		return (ENOMEM);
	(*n)++;
	return (0);
}

static int
read_names(DIR *d, char ***names, size_t *n)
{
	struct dirent *de;
	size_t cap = 0;
	int err = 0;

	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			err = errno;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((err = names_add(names, n, &cap, de->d_name)) != 0)
			break;
	}
	return (err);
}

int
esp_list(const char *root, const char *rel, char ***names, size_t *n)
{
	DIR *d;
	int fd, err, rfd;

	*names = NULL;
	*n = 0;
	if ((err = check_rel(rel)) != 0)
		return (err);
	/* A missing ESP is an error; only a missing directory in it is not. */
	if ((err = open_root(root, &rfd)) != 0)
		return (err);
	if ((err = walk(rfd, rel, strlen(rel), false, &fd)) != 0)
		return (err == ENOENT ? 0 : err);
	if ((d = fdopendir(fd)) == NULL) {
		err = errno;
		(void) close(fd);
		return (err);
	}
	err = read_names(d, names, n);
	(void) closedir(d);
	if (err != 0) {
		esp_names_free(*names, *n);
		*names = NULL;
		*n = 0;
		return (err);
	}
	if (*n > 1)
		qsort(*names, *n, sizeof (**names), name_cmp);
	return (0);
}

void
esp_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

bool
esp_exists(const char *root, const char *rel)
{
	char base[NAME_MAX + 1];
	struct stat st;
	bool found;
	int dfd;

	if (rel != NULL && (rel[0] == '\0' || strcmp(rel, ".") == 0))
		return (stat(root, &st) == 0);
	if (open_parent(root, rel, &dfd, base, sizeof (base)) != 0)
		return (false);
	found = fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
	(void) close(dfd);
	return (found);
}
