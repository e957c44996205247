/*
 * vm_virtiofsd.c - finding, starting and stopping the virtiofsd that
 * serves the root to QEMU when it is shared over virtiofs.
 *
 * Two programs go by that name: the C one QEMU shipped up to 7.2 (Debian
 * 12 has it at /usr/lib/qemu/virtiofsd) and the Rust one that replaced it.
 * Both take --socket-path; they differ in how the directory and cache mode
 * are given.  Which one a binary is gets decided by what it accepts, not
 * by reading its --help or --version text (whose wording is no interface):
 * the Rust syntax is tried first, and a program that exits before it made
 * its socket is started again with the C syntax.  An unknown option makes
 * either exit at once, so the first try costs next to nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"
#include "test_seam.h"

extern char **environ;

/* How long a virtiofsd may take to make its socket. */
#define SOCKET_WAIT_MS	10000

static bool
executable(const char *path)
{
	struct stat st;

	return (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0);
}

int
vm_find_virtiofsd(char *buf, size_t sz, char *err)
{
	static const char *const fixed[] = { "/usr/libexec/virtiofsd",
		"/usr/lib/qemu/virtiofsd", NULL };
	const char *env = test_seam("BEADM_VIRTIOFSD");
	const char *path = getenv("PATH"), *p, *end;
	size_t i, len;

	if (env != NULL && env[0] != '\0') {
		if (!executable(env)) {
			vm_err(err, "BEADM_VIRTIOFSD=%s is not an executable "
			    "file", env);
			return (-1);
		}
		snprintf(buf, sz, "%s", env);
		return (0);
	}
	for (p = path; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		len = (size_t)(end - p);
		if (len == 0 || (size_t)snprintf(buf, sz, "%.*s/virtiofsd",
		    (int)len, p) >= sz)
			continue;
		if (executable(buf))
			return (0);
	}
	for (i = 0; fixed[i] != NULL; i++) {
		if (executable(fixed[i])) {
			snprintf(buf, sz, "%s", fixed[i]);
			return (0);
		}
	}
	buf[0] = '\0';
	vm_err(err, "no virtiofsd found (looked in PATH, "
	    "/usr/libexec/virtiofsd and /usr/lib/qemu/virtiofsd)");
	return (-1);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* SIGTERM, SIGKILL after 5 s; reap. */
void
vm_virtiofsd_stop(pid_t pid)
{
	int status, i;

	if (pid <= 0)
		return;
	(void) kill(pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		sleep_ms(100);
	}
	(void) kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static int
spawn(const char *const *argv, int logfd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, logfd, 1);
	posix_spawn_file_actions_adddup2(&fa, logfd, 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	/* Its own process group: the terminal's Ctrl-C is the guest's, and
	 * beadm stops virtiofsd itself, after QEMU. */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(pid, argv[0], &fa, &attr, (char *const *)argv,
	    environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return (rc);
}

/* 0: the socket is there; 1: virtiofsd exited first (reaped); -1: it
 * made none in time (stopped). */
static int
await_socket(pid_t pid, const char *sock)
{
	struct stat st;
	int status, waited;

	for (waited = 0; waited < SOCKET_WAIT_MS; waited += 20) {
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return (0);
		if (waitpid(pid, &status, WNOHANG) == pid)
			return (1);
		sleep_ms(20);
	}
	vm_virtiofsd_stop(pid);
	return (-1);
}

/* The last line virtiofsd wrote to its log, for an error message. */
static void
last_line(const char *log, char *buf, size_t sz)
{
	char line[512];
	FILE *f = fopen(log, "re");

	buf[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof (line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != '\0')
			snprintf(buf, sz, "%s", line);
	}
	fclose(f);
}

int
vm_virtiofsd_start(const char *bin, const char *dir, const char *sock,
    const char *log, pid_t *pid, char *err)
{
	char sockopt[PATH_MAX + 32], source[PATH_MAX * 2 + 32], last[512];
	const char *rust[] = { bin, "--socket-path", sock, "--shared-dir",
		dir, "--cache", "auto", "--xattr", NULL };
	const char *legacy[] = { bin, sockopt, "-o", source, "-o",
		"cache=auto", "-o", "xattr", NULL };
	const char *const *tries[] = { rust, legacy, NULL };
	int logfd, rc = 1, i;

	*pid = -1;
	if (strchr(dir, ',') != NULL) {
		/* -o takes a list: no way to quote a ',' in the path. */
		legacy[0] = NULL;
	}
	snprintf(sockopt, sizeof (sockopt), "--socket-path=%s", sock);
	snprintf(source, sizeof (source), "source=%s", dir);
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd < 0) {
		vm_err(err, "cannot create %s: %s", log, strerror(errno));
		return (-1);
	}
	for (i = 0; rc == 1 && tries[i] != NULL && tries[i][0] != NULL;
	    i++) {
		(void) unlink(sock);
		if ((rc = spawn(tries[i], logfd, pid)) != 0) {
			vm_err(err, "cannot run %s: %s", bin, strerror(rc));
			close(logfd);
			*pid = -1;
			return (-1);
		}
		rc = await_socket(*pid, sock);
	}
	close(logfd);
	if (rc == 0)
		return (0);
	*pid = -1;
	last_line(log, last, sizeof (last));
	vm_err(err, "%s %s%s%s", bin, rc < 0 ? "made no socket within 10 s" :
	    "exited without serving the root", last[0] != '\0' ? ": " : "",
	    last);
	(void) unlink(sock);
	return (-1);
}
