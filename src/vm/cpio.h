/*
 * cpio.h - a writer of uncompressed "newc" cpio archives, the format the
 * Linux kernel unpacks as an initramfs.  Just enough for beadm vm: regular
 * files, directories and symlinks, written to a file descriptor.
 */
#ifndef BEADM_CPIO_H
#define BEADM_CPIO_H

#include <stddef.h>
#include <sys/types.h>

struct cpio {
	int fd;
	unsigned long ino;	/* the next inode number to hand out */
	int failed;		/* a write failed: errno, sticky */
};

void cpio_open(struct cpio *, int fd);
/* Each returns 0, or -1 with errno set (and every later call fails too). */
int cpio_dir(struct cpio *, const char *name, mode_t perm);
int cpio_file(struct cpio *, const char *name, mode_t perm, const void *data,
    size_t size);
/* A regular file with the contents of path on this machine. */
int cpio_copy(struct cpio *, const char *name, mode_t perm, const char *path);
/* The same from an open file, which it closes. */
int cpio_copy_fd(struct cpio *, const char *name, mode_t perm, int fd);
/* The trailer; the archive is complete after it. */
int cpio_close(struct cpio *);

#endif /* BEADM_CPIO_H */
