/*
 * be_lock.c - one beadm at a time per pool.
 *
 * Two beadm runs that change the same pool at once could each see a state the
 * other is about to change (a name free, a BE not booting next).  Changes take
 * an exclusive flock(2) on /run/beadm/POOL.lock; a second run waits a few
 * seconds, then fails with BE_ERR_BUSY naming the holder.  flock locks die
 * with their process, so a crashed run never leaves the pool locked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "be_impl.h"
#include "test_seam.h"

#define LOCK_DIR	"/run/beadm"
#define LOCK_WAIT_MS	5000
#define LOCK_POLL_MS	50

static int
lock_wait_ms(void)
{
	const char *env = test_seam("BEADM_LOCK_WAIT_MS");
	char *end;
	long ms;

	if (env == NULL || *env == '\0')
		return (LOCK_WAIT_MS);
	ms = strtol(env, &end, 10);
	/* A malformed override must not turn into "never wait". */
	if (*end != '\0' || ms < 0 || ms > 3600 * 1000)
		return (LOCK_WAIT_MS);
	return ((int)ms);
}

static void
holder_of(int fd, char *buf, size_t sz)
{
	ssize_t n = pread(fd, buf, sz - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static be_error_t
busy(be_handle_t *h, int fd, const char *path, int waited)
{
	char holder[32];

	holder_of(fd, holder, sizeof (holder));
	if (holder[0] != '\0')
		return (be_set_error(h, BE_ERR_BUSY, "another beadm (pid %s) "
		    "is changing pool '%s'; gave up after %d.%d s; try again "
		    "when it has finished", holder, h->pool, waited / 1000,
		    waited % 1000 / 100));
	return (be_set_error(h, BE_ERR_BUSY, "another process holds %s, the "
	    "lock of pool '%s'; gave up after %d.%d s; try again when it has "
	    "finished", path, h->pool, waited / 1000, waited % 1000 / 100));
}

be_error_t
be_lock(be_handle_t *h)
{
	char path[BE_PATH_MAX + sizeof (LOCK_DIR) + 8];
	char pid[32];
	int fd, waited = 0, limit = lock_wait_ms();
	struct timespec pause = { 0, LOCK_POLL_MS * 1000000L };

	if (h->lock_depth++ > 0)
		return (BE_OK);
	if (mkdir(LOCK_DIR, 0700) != 0 && errno != EEXIST) {
		h->lock_depth--;
		return (be_set_error(h, BE_ERR_IO, "cannot create %s: %s",
		    LOCK_DIR, strerror(errno)));
	}
	snprintf(path, sizeof (path), "%s/%s.lock", LOCK_DIR, h->pool);
	/* O_NOFOLLOW: never write a pid through a planted symlink. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		h->lock_depth--;
		return (be_set_error(h, BE_ERR_IO, "cannot open %s: %s", path,
		    strerror(errno)));
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;

			close(fd);
			h->lock_depth--;
			return (be_set_error(h, BE_ERR_IO, "cannot lock %s: %s",
			    path, strerror(e)));
		}
		if (waited >= limit) {
			be_error_t err = busy(h, fd, path, waited);

			close(fd);
			h->lock_depth--;
			return (err);
		}
		nanosleep(&pause, NULL);
		waited += LOCK_POLL_MS;
	}
	snprintf(pid, sizeof (pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		(void) !pwrite(fd, pid, strlen(pid), 0);
	h->lock_fd = fd;
	return (BE_OK);
}

void
be_unlock(be_handle_t *h)
{
	if (h->lock_depth == 0 || --h->lock_depth > 0)
		return;
	if (h->lock_fd >= 0) {
		/* Forget our pid, so that a later holder that is not beadm
		 * (or a run that crashed) is not reported as us. */
		(void) !ftruncate(h->lock_fd, 0);
		/* Closing releases the flock; the file stays for the next run. */
		close(h->lock_fd);
		h->lock_fd = -1;
	}
}
