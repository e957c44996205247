/*
 * inroot.h - paths inside a tree beadm does not trust (a BE: its contents
 * come from packages, an import, a tarball, or whoever ran it), resolved
 * so that nothing in the tree leads beadm, running as root, out of it.
 *
 * Absolute symbolic links and ".." are resolved as if the tree were / (the
 * kernel's openat2 RESOLVE_IN_ROOT); where a path must be walked as it is
 * (a directory to mount on), every component must be a real directory.
 * All return -1 with errno set on failure; ENOSYS from a kernel older than
 * 5.6 is a failure too, never a fallback to an unconfined open.
 */
#ifndef INROOT_H
#define	INROOT_H

#include <stdbool.h>
#include <stddef.h>

/* Open path (relative or absolute: both from root) inside the directory
 * root with open(2) flags (O_CLOEXEC is added). */
int inroot_open(const char *root, const char *path, int flags);
/* Open path inside root as inroot_open does and require a regular file:
 * EINVAL otherwise. */
int inroot_open_file(const char *root, const char *path);
/* The real path (no symbolic link, no "..") of what path inside root
 * names, into buf; ENAMETOOLONG when it does not fit. */
int inroot_realpath(const char *root, const char *path, char *buf,
    size_t sz);
/* Walk the relative path rel below root one component at a time, each a
 * real directory (ELOOP at a symbolic link, ENOTDIR at anything else,
 * EINVAL at "..") and, with create, make the missing ones (mode 0755). */
int inroot_dirs(const char *root, const char *rel, bool create);

#endif /* INROOT_H */
