/*
 * be_install.h - what the files of beadm install share: the job, and one
 * function per way of filling a directory with a system.
 */
#ifndef BE_INSTALL_H
#define BE_INSTALL_H

#include "be_impl.h"

#define DEBOOTSTRAP_PREFIX	"debootstrap:"
#define DEBOOTSTRAP_PATH	"/usr/sbin/debootstrap"

struct be_install_job {
	be_handle_t *h;
	const be_install_opts_t *o;
	const char *source;	/* as given */
	const char *suite;	/* debootstrap:SUITE, else NULL */
	int fd;			/* the tarball, open; else -1 */
	char dir[4096];		/* what is filled */
};

/* Tell the caller (o->note) what was done or chosen. */
void be_install_note(const struct be_install_job *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Has the caller asked to stop? */
bool be_install_stopped(const struct be_install_job *);
/*
 * The system files are read from BEADM_TEST_SYSTEM_ROOT when set (tests
 * only: the test VM's / is read-only), else from /.  path starts with '/'.
 */
void be_install_system_path(const char *path, char *buf, size_t sz);

/* be_install_tar.c: is j->fd a tar archive libarchive can read?  Then
 * stream it into j->dir. */
be_error_t be_install_tar_probe(struct be_install_job *);
be_error_t be_install_tar(struct be_install_job *);
/* be_install_debootstrap.c: check that debootstrap and a mirror are there;
 * then run it into j->dir. */
be_error_t be_install_debootstrap_check(struct be_install_job *);
be_error_t be_install_debootstrap(struct be_install_job *);
/* be_install_config.c: --copy-config.  beroot: "rpool/ROOT", "" when
 * there is no BE root (fstab lines of its datasets are not copied). */
be_error_t be_install_copy_config(struct be_install_job *,
    const char *beroot);

#endif /* BE_INSTALL_H */
