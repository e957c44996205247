/*
 * be_install_tar.c - a root file-system tarball streamed into the BE with
 * libarchive: read from the file as it is unpacked (gzip, xz, zstd or none,
 * told by content), never copied or unpacked anywhere else first.
 *
 * Entries keep their numeric owners (the archive's system has its own
 * /etc/passwd; the running one's names mean nothing there), modes with
 * set-id bits, times, ACLs, extended attributes and file flags.  The
 * secure flags refuse any entry that would land outside the BE: '..' in
 * a path, an absolute path, or a path through a symbolic link the archive
 * made.  Such an entry, a truncated or a corrupt archive all fail the
 * install: a root file system with holes in it must not be booted.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "be_install.h"

#define READ_BLOCK	(128 * 1024)

#define EXTRACT_FLAGS	(ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | \
	ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_XATTR | \
	ARCHIVE_EXTRACT_FFLAGS | ARCHIVE_EXTRACT_SECURE_SYMLINKS | \
	ARCHIVE_EXTRACT_SECURE_NODOTDOT | \
	ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

static struct archive *
reader(int fd)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		return (NULL);
	(void) archive_read_support_filter_all(a);
	(void) archive_read_support_format_tar(a);
	/* A failure shows in the first archive_read_next_header. */
	(void) archive_read_open_fd(a, fd, READ_BLOCK);
	return (a);
}

static be_error_t
archive_error(struct be_install_job *j, struct archive *a, const char *what)
{
	const char *why = archive_error_string(a);

	return (be_set_error(j->h, BE_ERR_IO, "cannot install from '%s': %s: "
	    "%s", j->source, what, why != NULL ? why : "unknown error"));
}

be_error_t
be_install_tar_probe(struct be_install_job *j)
{
	struct archive *a = reader(j->fd);
	struct archive_entry *e;
	be_error_t err = BE_OK;

	if (a == NULL)
		return (be_set_error(j->h, BE_ERR_NOMEM, "out of memory"));
	if (archive_read_next_header(a, &e) < ARCHIVE_WARN)
		err = archive_error(j, a, "not a tar archive libarchive can "
		    "read");
	archive_read_free(a);
	/* Read again from the start for the real thing. */
	if (err == BE_OK && lseek(j->fd, 0, SEEK_SET) != 0)
		err = be_set_error(j->h, BE_ERR_IO, "cannot read '%s' again: "
		    "%s", j->source, strerror(errno));
	return (err);
}

static void
progress(struct be_install_job *j, struct archive *a)
{
	if (j->o->progress != NULL)
		j->o->progress((uint64_t)archive_filter_bytes(a, -1), j->o->arg);
}

static be_error_t
copy_data(struct be_install_job *j, struct archive *a, struct archive *w,
    const char *name)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	for (;;) {
		if (be_install_stopped(j))
			return (be_set_error(j->h, BE_ERR_UNKNOWN,
			    "interrupted"));
		r = archive_read_data_block(a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			return (BE_OK);
		if (r < ARCHIVE_WARN)
			return (archive_error(j, a, name));
		if (archive_write_data_block(w, buf, len, off) < ARCHIVE_WARN)
			return (archive_error(j, w, name));
		progress(j, a);
	}
}

static be_error_t
extract_one(struct be_install_job *j, struct archive *a, struct archive *w,
    struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	be_error_t err;
	int r;

	if ((r = archive_write_header(w, e)) < ARCHIVE_WARN)
		return (archive_error(j, w, name != NULL ? name : "an entry"));
	if (archive_entry_size(e) > 0 &&
	    (err = copy_data(j, a, w, name)) != BE_OK)
		return (err);
	if (archive_write_finish_entry(w) < ARCHIVE_WARN)
		return (archive_error(j, w, name));
	return (BE_OK);
}

static be_error_t
extract_all(struct be_install_job *j, struct archive *a, struct archive *w)
{
	struct archive_entry *e;
	unsigned long entries = 0;
	be_error_t err;
	int r;

	while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (be_install_stopped(j))
			return (be_set_error(j->h, BE_ERR_UNKNOWN,
			    "interrupted"));
		if (r < ARCHIVE_WARN)
			return (archive_error(j, a, "reading the archive"));
		if ((err = extract_one(j, a, w, e)) != BE_OK)
			return (err);
		entries++;
		progress(j, a);
	}
	if (entries == 0)
		return (be_set_error(j->h, BE_ERR_INVALID, "cannot install from "
		    "'%s': the archive holds no files", j->source));
	/* Directory modes and times are set last, now. */
	if (archive_write_close(w) < ARCHIVE_WARN)
		return (archive_error(j, w, "finishing the extraction"));
	be_install_note(j, "unpacked %lu entries from %s", entries, j->source);
	return (BE_OK);
}

be_error_t
be_install_tar(struct be_install_job *j)
{
	struct archive *a, *w;
	be_error_t err;
	int here;

	/* Paths in the archive are relative to the BE: work from its top. */
	if ((here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    chdir(j->dir) != 0) {
		err = be_set_error(j->h, BE_ERR_IO, "cannot enter %s: %s",
		    j->dir, strerror(errno));
		if (here >= 0)
			close(here);
		return (err);
	}
	a = reader(j->fd);
	w = archive_write_disk_new();
	if (a == NULL || w == NULL) {
		err = be_set_error(j->h, BE_ERR_NOMEM, "out of memory");
	} else {
		(void) archive_write_disk_set_options(w, EXTRACT_FLAGS);
		err = extract_all(j, a, w);
	}
	if (w != NULL)
		archive_write_free(w);
	if (a != NULL)
		archive_read_free(a);
	if (fchdir(here) != 0 && err == BE_OK)
		err = be_set_error(j->h, BE_ERR_IO, "cannot return to the "
		    "working directory: %s", strerror(errno));
	close(here);
	return (err);
}
