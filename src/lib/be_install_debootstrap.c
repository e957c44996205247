/*
 * be_install_debootstrap.c - debootstrap:SUITE: a Debian system made by
 * debootstrap(8) in the BE, from the mirror the machine's apt uses.
 *
 * The packages beyond debootstrap's minimal set are what a ZFS root needs
 * to boot: the kernel metapackage, zfsutils-linux and zfs-initramfs (in
 * contrib, hence --components main,contrib), and zfs-dkms with the kernel
 * headers.  Debian's kernels carry no ZFS module, and zfs-initramfs
 * depends on "zfs-modules | zfs-dkms": debootstrap takes the first choice
 * of an alternative, here a virtual package it cannot resolve, and
 * without zfs-dkms zfs-initramfs cannot be configured, so debootstrap
 * fails and no initramfs is made.  So zfs-dkms comes always, not only when
 * the running system has it.  Its other first choice, busybox-initramfs,
 * is gone from Debian: busybox is named for the same reason.  A Proxmox
 * kernel (which has ZFS built in) is not on a Debian mirror: such a system
 * gets Debian's kernel and is told so.
 *
 * debootstrap runs in a process group of its own: beadm stops it, with
 * everything it started, when asked to stop.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apt_sources.h"
#include "be_install.h"
#include "dpkg_status.h"

#define SOURCES_LIST	"/etc/apt/sources.list"
#define SOURCES_DIR	"/etc/apt/sources.list.d"
#define DPKG_STATUS	"/var/lib/dpkg/status"
#define STOP_GRACE_MS	10000

extern char **environ;

/* Debian's name for the machine's architecture (for the kernel package). */
static const char *
debian_arch(void)
{
	static const struct { const char *uname, *deb; } map[] = {
		{ "x86_64", "amd64" }, { "aarch64", "arm64" },
		{ "ppc64le", "ppc64el" }, { "s390x", "s390x" },
		{ "riscv64", "riscv64" }, { "i686", "686" },
	};
	struct utsname u;
	size_t i;

	if (uname(&u) == 0)
		for (i = 0; i < sizeof (map) / sizeof (map[0]); i++)
			if (strcmp(u.machine, map[i].uname) == 0)
				return (map[i].deb);
	return ("amd64");
}

static bool
valid_suite(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return (false);
	for (; *s != '\0'; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') &&
		    *s != '-' && *s != '.' && *s != '_')
			return (false);
	return (true);
}

/* ---- the mirror --------------------------------------------------------- */

static void
scan_file(struct apt_mirror *m, const char *path, bool deb822)
{
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return;
	(void) (deb822 ? apt_mirror_scan_deb822(m, f) :
	    apt_mirror_scan_list(m, f));
	fclose(f);
}

static bool
ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), e = strlen(end);

	return (n > e && strcmp(s + n - e, end) == 0);
}

/* In apt's own order: sources.list, then the directory's files by name. */
static void
find_mirror(struct apt_mirror *m)
{
	char path[4096 + 256 + 2], dir[4096];
	struct dirent **names;
	int n, i;

	be_install_system_path(SOURCES_LIST, path, sizeof (path));
	scan_file(m, path, false);
	be_install_system_path(SOURCES_DIR, dir, sizeof (dir));
	if ((n = scandir(dir, &names, NULL, alphasort)) < 0)
		return;
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		snprintf(path, sizeof (path), "%s/%s", dir, name);
		if (ends_with(name, ".sources"))
			scan_file(m, path, true);
		else if (ends_with(name, ".list"))
			scan_file(m, path, false);
		free(names[i]);
	}
	free(names);
}

be_error_t
be_install_debootstrap_check(struct be_install_job *j)
{
	struct apt_mirror m;

	if (!valid_suite(j->suite))
		return (be_set_error(j->h, BE_ERR_INVALID, "invalid suite "
		    "'%s' in '%s': name a Debian release such as bookworm",
		    j->suite, j->source));
	if (access(DEBOOTSTRAP_PATH, X_OK) != 0)
		return (be_set_error(j->h, BE_ERR_NOENT, "cannot install %s: "
		    "%s is missing; install the package debootstrap",
		    j->source, DEBOOTSTRAP_PATH));
	apt_mirror_init(&m, j->suite);
	find_mirror(&m);
	if (m.uri[0] == '\0')
		return (be_set_error(j->h, BE_ERR_NOENT, "cannot install %s: "
		    "no Debian archive with component main in %s or %s/",
		    j->source, SOURCES_LIST, SOURCES_DIR));
	return (BE_OK);
}

/* ---- the packages ------------------------------------------------------- */

static bool
installed(const struct dpkg_status *st, const char *name, bool prefix)
{
	size_t i, len = strlen(name);

	for (i = 0; i < st->n; i++)
		if (prefix ? strncmp(st->v[i].name, name, len) == 0 :
		    strcmp(st->v[i].name, name) == 0)
			return (true);
	return (false);
}

/* The --include list, comma-separated. */
static be_error_t
choose_packages(struct be_install_job *j, char *buf, size_t sz)
{
	struct dpkg_status st = { NULL, 0 };
	const char *arch = debian_arch();
	char path[4096];
	bool pve = false;
	FILE *f;

	be_install_system_path(DPKG_STATUS, path, sizeof (path));
	if ((f = fopen(path, "re")) != NULL) {
		if (dpkg_status_read(f, &st) == 0) {
			pve = installed(&st, "proxmox-default-kernel", false) ||
			    installed(&st, "proxmox-kernel-", true) ||
			    installed(&st, "pve-kernel-", true);
			dpkg_status_free(&st);
		}
		fclose(f);
	}
	if (pve)
		be_install_note(j, "this system runs a Proxmox kernel, which a "
		    "Debian mirror does not have: the new system gets Debian's "
		    "linux-image-%s, with ZFS built by zfs-dkms", arch);
	if ((size_t)snprintf(buf, sz, "linux-image-%s,linux-headers-%s,"
	    "zfs-dkms,zfsutils-linux,zfs-initramfs,busybox", arch, arch) >= sz)
		return (be_set_error(j->h, BE_ERR_NOMEM, "package list too "
		    "long"));
	return (BE_OK);
}

/* ---- running it --------------------------------------------------------- */

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}

static int
spawn(const struct be_install_job *j, char *const argv[], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (j->o->log_fd >= 0) {
		posix_spawn_file_actions_adddup2(&fa, j->o->log_fd, 1);
		posix_spawn_file_actions_adddup2(&fa, j->o->log_fd, 2);
	}
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGQUIT);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return (rc);
}

/* Stop debootstrap and what it started; reap it. */
static void
stop_group(pid_t pid, int *status)
{
	int waited;

	(void) kill(-pid, SIGTERM);
	for (waited = 0; waited < STOP_GRACE_MS; waited += 100) {
		if (waitpid(pid, status, WNOHANG) == pid)
			goto done;
		sleep_ms(100);
	}
	(void) kill(-pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		continue;
done:
	/* Its children may outlive it: end the group's stragglers too. */
	(void) kill(-pid, SIGKILL);
}

/* Wait for debootstrap; true when it ended by itself (*status). */
static bool
await(const struct be_install_job *j, pid_t pid, int *status)
{
	pid_t got;

	for (;;) {
		if (be_install_stopped(j)) {
			stop_group(pid, status);
			return (false);
		}
		got = waitpid(pid, status, WNOHANG);
		if (got == pid)
			return (true);
		if (got < 0 && errno != EINTR)
			return (true);
		sleep_ms(100);
	}
}

be_error_t
be_install_debootstrap(struct be_install_job *j)
{
	char include[512], inc_arg[600], mirror[APT_URI_MAX];
	char suite[80], dir[sizeof (j->dir)];
	struct apt_mirror m;
	be_error_t err;
	pid_t pid;
	int status = 0, rc;

	apt_mirror_init(&m, j->suite);
	find_mirror(&m);
	snprintf(mirror, sizeof (mirror), "%s", m.uri);
	snprintf(suite, sizeof (suite), "%s", j->suite);
	snprintf(dir, sizeof (dir), "%s", j->dir);
	if ((err = choose_packages(j, include, sizeof (include))) != BE_OK)
		return (err);
	snprintf(inc_arg, sizeof (inc_arg), "--include=%s", include);
	be_install_note(j, "debootstrap %s from %s, with %s", suite, mirror,
	    include);
	{
		char *argv[] = { DEBOOTSTRAP_PATH, "--components=main,contrib",
		    inc_arg, suite, dir, mirror, NULL };

		if ((rc = spawn(j, argv, &pid)) != 0)
			return (be_set_error(j->h, BE_ERR_UNKNOWN, "cannot run "
			    "%s: %s", DEBOOTSTRAP_PATH, strerror(rc)));
	}
	if (!await(j, pid, &status))
		return (be_set_error(j->h, BE_ERR_UNKNOWN, "interrupted; "
		    "debootstrap was stopped"));
	if (WIFSIGNALED(status))
		return (be_set_error(j->h, BE_ERR_UNKNOWN, "debootstrap %s "
		    "was killed by signal %d", suite, WTERMSIG(status)));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return (be_set_error(j->h, BE_ERR_UNKNOWN, "debootstrap %s "
		    "from %s failed (exit status %d)", suite, mirror,
		    WEXITSTATUS(status)));
	return (BE_OK);
}
