/*
 * be_diff_walk.c - walk two trees in parallel, in sorted name order, and
 * report what was added, removed or modified.
 *
 * Modified means the type, permissions, owner, size, symbolic link target
 * or device number differ, or - like rsync - the size is equal but the
 * modification time is not and the contents differ.  A directory's own
 * times are not compared: they change whenever an entry does, which is
 * reported by itself.  Anything whose device differs from its tree's top
 * on either side (/proc, /sys, another pool, a dataset not part of the BE)
 * is a mount point and is neither entered nor reported.  Everything is
 * opened read-only, with O_NOATIME where allowed, and symbolic links are
 * never followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "be_diff_walk.h"

struct side {
	int fd;		/* the directory being read, -1 when absent */
	dev_t dev;	/* the tree's file system */
	char **names;	/* its entries, sorted */
	size_t n;
};

static int
fail(struct diff_walk *w, int err)
{
	if (w->err == 0) {
		w->err = err;
		snprintf(w->failed, sizeof (w->failed), "%s", w->path);
	}
	return (-1);
}

static int
by_name(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static void
free_names(struct side *s)
{
	while (s->n > 0)
		free(s->names[--s->n]);
	free(s->names);
	s->names = NULL;
}

/* Read the entries of s->fd (but . and ..) into s->names, sorted. */
static int
read_names(struct diff_walk *w, struct side *s)
{
	DIR *d;
	struct dirent *e;
	char **v;
	int fd;

	s->names = NULL;
	s->n = 0;
	if (s->fd < 0)
		return (0);
	if ((fd = dup(s->fd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return (fail(w, errno));
	}
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((s->n & (s->n - 1)) == 0) {
			v = realloc(s->names, (s->n ? s->n * 2 : 1) *
			    sizeof (*v));
			if (v == NULL)
				break;
			s->names = v;
		}
		if ((s->names[s->n] = strdup(e->d_name)) == NULL)
			break;
		s->n++;
		errno = 0;
	}
	closedir(d);
	if (errno != 0) {
		free_names(s);
		return (fail(w, errno == 0 ? ENOMEM : errno));
	}
	if (s->n > 0)
		qsort(s->names, s->n, sizeof (*s->names), by_name);
	return (0);
}

static bool
skipped(const struct diff_walk *w)
{
	size_t i;

	for (i = 0; i < w->nskip; i++)
		if (strcmp(w->skip[i], w->path) == 0)
			return (true);
	return (false);
}

static int
open_ro(int dirfd, const char *name, int flags)
{
	int fd = openat(dirfd, name, flags | O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC | O_NOATIME);

	if (fd < 0 && errno == EPERM)	/* O_NOATIME on another's file */
		fd = openat(dirfd, name, flags | O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC);
	return (fd);
}

static int
same_contents(struct diff_walk *w, int ofd, int nfd, const char *name,
    bool *same)
{
	char a[65536], b[65536];
	int x = open_ro(ofd, name, 0), y = open_ro(nfd, name, 0);
	ssize_t n, m;
	int rc = 0;

	*same = true;
	if (x < 0 || y < 0) {
		rc = fail(w, errno);
		goto out;
	}
	do {
		n = read(x, a, sizeof (a));
		m = n > 0 ? read(y, b, (size_t)n) : 0;
		if (n < 0 || m < 0) {
			rc = fail(w, errno);
			break;
		}
		if (n != m || memcmp(a, b, (size_t)n) != 0) {
			*same = false;
			break;
		}
	} while (n > 0);
out:
	if (x >= 0)
		close(x);
	if (y >= 0)
		close(y);
	return (rc);
}

static int
same_link(struct diff_walk *w, int ofd, int nfd, const char *name,
    bool *same)
{
	char a[PATH_MAX], b[PATH_MAX];
	ssize_t n = readlinkat(ofd, name, a, sizeof (a)),
	    m = readlinkat(nfd, name, b, sizeof (b));

	if (n < 0 || m < 0)
		return (fail(w, errno));
	*same = n == m && memcmp(a, b, (size_t)n) == 0;
	return (0);
}

static int
modified(struct diff_walk *w, int ofd, int nfd, const char *name,
    const struct stat *o, const struct stat *n, bool *mod)
{
	bool same = true;
	int rc = 0;

	*mod = true;
	if (o->st_mode != n->st_mode || o->st_uid != n->st_uid ||
	    o->st_gid != n->st_gid)
		return (0);
	if (S_ISREG(o->st_mode)) {
		if (o->st_size != n->st_size)
			return (0);
		if (o->st_mtim.tv_sec != n->st_mtim.tv_sec ||
		    o->st_mtim.tv_nsec != n->st_mtim.tv_nsec)
			rc = same_contents(w, ofd, nfd, name, &same);
	} else if (S_ISLNK(o->st_mode)) {
		rc = same_link(w, ofd, nfd, name, &same);
	} else if (S_ISCHR(o->st_mode) || S_ISBLK(o->st_mode)) {
		same = o->st_rdev == n->st_rdev;
	}
	*mod = !same;
	return (rc);
}

static int walk_dirs(struct diff_walk *, struct side *, struct side *);

/* Descend into name on the sides where it is a directory. */
static int
descend(struct diff_walk *w, struct side *o, struct side *n, const char *name,
    bool odir, bool ndir)
{
	struct side so = { .fd = -1, .dev = o->dev },
	    sn = { .fd = -1, .dev = n->dev };
	int rc = 0;

	if (odir && (so.fd = open_ro(o->fd, name, O_DIRECTORY)) < 0)
		rc = fail(w, errno);
	if (rc == 0 && ndir &&
	    (sn.fd = open_ro(n->fd, name, O_DIRECTORY)) < 0)
		rc = fail(w, errno);
	if (rc == 0)
		rc = walk_dirs(w, &so, &sn);
	if (so.fd >= 0)
		close(so.fd);
	if (sn.fd >= 0)
		close(sn.fd);
	return (rc);
}

/* One name present on one side or both. */
static int
compare_entry(struct diff_walk *w, struct side *o, struct side *n,
    const char *name, bool in_old, bool in_new)
{
	struct stat os, ns;
	bool odir = false, ndir = false, mod;

	if (in_old && fstatat(o->fd, name, &os, AT_SYMLINK_NOFOLLOW) != 0)
		return (errno == ENOENT ? 0 : fail(w, errno));
	if (in_new && fstatat(n->fd, name, &ns, AT_SYMLINK_NOFOLLOW) != 0)
		return (errno == ENOENT ? 0 : fail(w, errno));
	if ((in_old && os.st_dev != o->dev) || (in_new && ns.st_dev != n->dev))
		return (0);		/* a mount point */
	odir = in_old && S_ISDIR(os.st_mode);
	ndir = in_new && S_ISDIR(ns.st_mode);
	if (in_old && in_new) {
		if (modified(w, o->fd, n->fd, name, &os, &ns, &mod) != 0)
			return (-1);
		if (mod)
			w->report('M', w->path, w->arg);
		/* A directory that became something else: its entries went. */
		if (odir && !ndir)
			return (descend(w, o, n, name, true, false));
		if (ndir && !odir)
			return (descend(w, o, n, name, false, true));
	} else {
		w->report(in_old ? '-' : '+', w->path, w->arg);
	}
	if (odir || ndir)
		return (descend(w, o, n, name, odir, ndir));
	return (0);
}

static int
walk_dirs(struct diff_walk *w, struct side *o, struct side *n)
{
	size_t i = 0, j = 0, len = strlen(w->path);
	int rc = 0, c;
	const char *name;

	if (read_names(w, o) != 0)
		return (-1);
	if (read_names(w, n) != 0) {
		free_names(o);
		return (-1);
	}
	while (rc == 0 && (i < o->n || j < n->n)) {
		if (w->stop != NULL && *w->stop) {
			rc = fail(w, EINTR);
			break;
		}
		if (i == o->n)
			c = 1;
		else if (j == n->n)
			c = -1;
		else
			c = strcmp(o->names[i], n->names[j]);
		name = c <= 0 ? o->names[i] : n->names[j];
		if ((size_t)snprintf(w->path + len, sizeof (w->path) - len,
		    "%s%s", len > 1 ? "/" : "", name) >= sizeof (w->path) - len)
			rc = fail(w, ENAMETOOLONG);
		else if (!skipped(w))
			rc = compare_entry(w, o, n, name, c <= 0, c >= 0);
		w->path[len] = '\0';
		i += c <= 0;
		j += c >= 0;
	}
	free_names(o);
	free_names(n);
	return (rc);
}

int
diff_walk_trees(struct diff_walk *w, int oldfd, int newfd, const char *top)
{
	struct side o = { .fd = oldfd }, n = { .fd = newfd };
	struct stat st;

	w->err = 0;
	w->failed[0] = '\0';
	snprintf(w->path, sizeof (w->path), "%s", top);
	if (oldfd >= 0 && fstat(oldfd, &st) == 0)
		o.dev = st.st_dev;
	else if (oldfd >= 0)
		return (fail(w, errno));
	if (newfd >= 0 && fstat(newfd, &st) == 0)
		n.dev = st.st_dev;
	else if (newfd >= 0)
		return (fail(w, errno));
	/* A dataset on one side only: its top came or went too. */
	if (oldfd < 0 && newfd >= 0)
		w->report('+', w->path, w->arg);
	else if (newfd < 0 && oldfd >= 0)
		w->report('-', w->path, w->arg);
	return (walk_dirs(w, &o, &n));
}
