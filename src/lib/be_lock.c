/*
 * be_lock.c - one beadm at a time per pool.
 *
 * Two beadm runs that change the same pool at once could each see a state the
 * other is about to change (a name free, a BE not booting next).  Changes take
 * an exclusive flock(2) on /run/beadm/POOL.lock; a second run waits a few
 * seconds, then fails with BE_ERR_BUSY naming the holder.  flock locks die
 * with their process, so a crashed run never leaves the pool locked.
 *
 * The EFI system partitions belong to the machine, not to a pool: BE roots
 * on two pools write the same ESPs.  A change of them also takes
 * /run/beadm/+esps.lock, always after its pool's lock.
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

/* What a lock guards, for the messages. */
static void
guarded(const be_handle_t *h, bool esps, char *buf, size_t sz)
{
	if (esps)
		snprintf(buf, sz, "the EFI system partitions");
	else
		snprintf(buf, sz, "pool '%s'", h->pool);
}

static be_error_t
busy(be_handle_t *h, int fd, const char *path, bool esps, int waited)
{
	char holder[32], what[BE_PATH_MAX + 16];

	guarded(h, esps, what, sizeof (what));
	holder_of(fd, holder, sizeof (holder));
	if (holder[0] != '\0')
		return (be_set_error(h, BE_ERR_BUSY, "another beadm (pid %s) "
		    "is changing %s; gave up after %d.%d s; try again when it "
		    "has finished", holder, what, waited / 1000,
		    waited % 1000 / 100));
	return (be_set_error(h, BE_ERR_BUSY, "another process holds %s, the "
	    "lock of %s; gave up after %d.%d s; try again when it has "
	    "finished", path, what, waited / 1000, waited % 1000 / 100));
}

/* Take the lock file name in LOCK_DIR, or count one more taking. */
static be_error_t
take(be_handle_t *h, const char *name, bool esps, int limit, int *fdp,
    int *depth)
{
	char path[BE_PATH_MAX + sizeof (LOCK_DIR) + 8];
	char pid[32];
	int fd, waited = 0;
	struct timespec pause = { 0, LOCK_POLL_MS * 1000000L };

	if ((*depth)++ > 0)
		return (BE_OK);
	if (mkdir(LOCK_DIR, 0700) != 0 && errno != EEXIST) {
		(*depth)--;
		return (be_set_error(h, BE_ERR_IO, "cannot create %s: %s",
		    LOCK_DIR, strerror(errno)));
	}
	snprintf(path, sizeof (path), "%s/%s.lock", LOCK_DIR, name);
	/* O_NOFOLLOW: never write a pid through a planted symlink. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		(*depth)--;
		return (be_set_error(h, BE_ERR_IO, "cannot open %s: %s", path,
		    strerror(errno)));
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;

			close(fd);
			(*depth)--;
			return (be_set_error(h, BE_ERR_IO, "cannot lock %s: %s",
			    path, strerror(e)));
		}
		if (waited >= limit) {
			be_error_t err = busy(h, fd, path, esps, waited);

			close(fd);
			(*depth)--;
			return (err);
		}
		nanosleep(&pause, NULL);
		waited += LOCK_POLL_MS;
	}
	snprintf(pid, sizeof (pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		(void) !pwrite(fd, pid, strlen(pid), 0);
	*fdp = fd;
	return (BE_OK);
}

static void
release(int *fdp, int *depth)
{
	if (*depth == 0 || --(*depth) > 0)
		return;
	if (*fdp >= 0) {
		/* Forget our pid, so that a later holder that is not beadm
		 * (or a run that crashed) is not reported as us. */
		(void) !ftruncate(*fdp, 0);
		/* Closing releases the flock; the file stays for the next run. */
		close(*fdp);
		*fdp = -1;
	}
}

be_error_t
be_lock(be_handle_t *h)
{
	return (take(h, h->pool, false, lock_wait_ms(), &h->lock_fd,
	    &h->lock_depth));
}

be_error_t
be_trylock(be_handle_t *h)
{
	return (take(h, h->pool, false, 0, &h->lock_fd, &h->lock_depth));
}

void
be_unlock(be_handle_t *h)
{
	release(&h->lock_fd, &h->lock_depth);
}

/* No pool's lock: a pool name cannot hold a '+'. */
be_error_t
be_lock_esps(be_handle_t *h)
{
	return (take(h, "+esps", true, lock_wait_ms(), &h->esp_lock_fd,
	    &h->esp_lock_depth));
}

void
be_unlock_esps(be_handle_t *h)
{
	release(&h->esp_lock_fd, &h->esp_lock_depth);
}
