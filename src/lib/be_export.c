/*
 * be_export.c - a whole BE as a replication stream, and back.
 *
 * export takes a fresh recursive snapshot of the BE and sends it as
 * `zfs send -R` would (every snapshot, every descendant, properties, so that
 * beadm:description travels), then destroys that transport snapshot again:
 * the pool is left as it was.  import receives such a stream as a new BE,
 * never mounts it, and makes its canmount values safe; the BE's own
 * snapshots stay, the transport snapshot goes.  A failed or truncated
 * stream leaves no new BE behind.
 *
 * The transport snapshot carries a temporary hold tied to this process (as
 * `zfs send` does): a snapshot named beadm-export-* without a hold is the
 * leftover of an export that was killed, and export removes those of its BE
 * before taking a new one.  The pool lock is held only while the snapshot
 * is taken, not during the send, so that `beadm export a | beadm import b`
 * works within one pool: import waits for the first bytes of the stream
 * before it takes the lock.
 *
 * libzfs writes or reads the stream through a pipe in a helper thread while
 * the calling thread copies between the pipe and the caller's descriptor,
 * counting bytes for the progress callback (which therefore runs in the
 * caller's thread).  libzfs's own progress printing stays off.
 *
 * SIGPIPE is blocked in both threads for the duration: a reader that goes
 * away must turn into an error message, not kill the process halfway with
 * a transport snapshot left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "be_impl.h"

#define COPY_CHUNK	(128 * 1024)
#define PIPE_SIZE	(1024 * 1024)
#define EXPORT_PREFIX	"beadm-export-"
#define EXPORT_HOLD	"beadm-export"

enum pump_result { PUMP_DONE, PUMP_READ_FAILED, PUMP_WRITE_FAILED };

struct pump {
	int in, out;
	be_progress_fn fn;
	void *arg;
	uint64_t bytes;
	int saved_errno;
};

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		buf += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Copy in -> out until end of file, reporting progress per chunk. */
static enum pump_result
pump_copy(struct pump *p, char *buf, size_t bufsz)
{
	ssize_t n;

	for (;;) {
		n = read(p->in, buf, bufsz);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			p->saved_errno = errno;
			return (PUMP_READ_FAILED);
		}
		if (n == 0)
			return (PUMP_DONE);
		if (write_all(p->out, buf, (size_t)n) != 0) {
			p->saved_errno = errno;
			return (PUMP_WRITE_FAILED);
		}
		p->bytes += (uint64_t)n;
		if (p->fn != NULL)
			p->fn(p->bytes, p->arg);
	}
}

static enum pump_result
pump_run(struct pump *p)
{
	char *buf = malloc(COPY_CHUNK);
	enum pump_result r;

	if (buf == NULL) {
		p->saved_errno = ENOMEM;
		return (PUMP_READ_FAILED);
	}
	r = pump_copy(p, buf, COPY_CHUNK);
	free(buf);
	return (r);
}

/* Block SIGPIPE in this thread (and threads it creates) until restored. */
static void
sigpipe_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void
sigpipe_restore(const sigset_t *old)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	/* Swallow the SIGPIPE a broken pipe left pending, unless the caller
	 * had it blocked already (then it is theirs to see). */
	if (!sigismember(old, SIGPIPE))
		while (sigtimedwait(&set, NULL, &zero) == SIGPIPE)
			;
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

static int
make_pipe(be_handle_t *h, int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) != 0)
		return (be_set_error(h, BE_ERR_IO, "cannot create a pipe: %s",
		    strerror(errno)));
	/* A larger pipe means fewer wake-ups; the default works too. */
	(void) fcntl(fds[1], F_SETPIPE_SZ, PIPE_SIZE);
	return (BE_OK);
}

/* ---- export ----------------------------------------------------------- */

struct sender {
	zfs_handle_t *zhp;
	const char *snap;
	int fd;			/* the pipe's write end, closed when done */
	int rc;
};

static void *
send_thread(void *arg)
{
	struct sender *s = arg;
	sendflags_t flags;

	memset(&flags, 0, sizeof (flags));
	flags.replicate = B_TRUE;	/* zfs send -R: children, clones */
	flags.doall = B_TRUE;		/* every snapshot, as -R without -I */
	flags.props = B_TRUE;		/* properties, beadm:description */
	s->rc = zfs_send(s->zhp, NULL, s->snap, &flags, s->fd, NULL, NULL,
	    NULL);
	close(s->fd);
	return (NULL);
}

static be_error_t
take_transport_snapshot(be_handle_t *h, const char *dataset, char *snap,
    size_t snapsz)
{
	char full[BE_PATH_MAX * 2];
	char stamp[64];
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	be_auto_snapname(stamp, sizeof (stamp), &now);
	snprintf(snap, snapsz, "%s%s", EXPORT_PREFIX, stamp);
	snprintf(full, sizeof (full), "%s@%s", dataset, snap);
	if (zfs_snapshot(h->lzh, full, B_TRUE, NULL) != 0)
		return (be_set_zfs_error(h, "cannot snapshot %s for export",
		    full));
	return (BE_OK);
}

/*
 * Put a temporary hold on zhp@snap (recursively) that the kernel releases
 * when *cleanup_fd closes, so that a killed export's snapshot loses it.
 */
static be_error_t
hold_transport_snapshot(be_handle_t *h, zfs_handle_t *zhp, const char *snap,
    int *cleanup_fd)
{
	*cleanup_fd = open(ZFS_DEV, O_RDWR | O_CLOEXEC);
	if (*cleanup_fd < 0)
		return (be_set_error(h, BE_ERR_IO, "cannot open %s: %s",
		    ZFS_DEV, strerror(errno)));
	if (zfs_hold(zhp, snap, EXPORT_HOLD, B_TRUE, *cleanup_fd) != 0) {
		close(*cleanup_fd);
		*cleanup_fd = -1;
		return (be_set_zfs_error(h, "cannot hold %s@%s for export",
		    zfs_get_name(zhp), snap));
	}
	return (BE_OK);
}

/*
 * Run worker(warg) in a thread on one end of a new pipe while this thread
 * pumps between p's descriptor and the other end: with to_worker false the
 * worker writes (*worker_fd is the write end) and we copy out of the pipe;
 * with to_worker true we copy into the pipe and the worker reads.  Our end
 * is closed when the pump stops, so the worker sees EOF or EPIPE and ends.
 */
static be_error_t
pump_with_worker(be_handle_t *h, void *(*worker)(void *), void *warg,
    int *worker_fd, bool to_worker, struct pump *p, enum pump_result *r,
    const char *what)
{
	pthread_t tid;
	sigset_t old;
	int fds[2], ours;
	be_error_t err;

	if ((err = make_pipe(h, fds)) != BE_OK)
		return (err);
	*worker_fd = to_worker ? fds[0] : fds[1];
	ours = to_worker ? fds[1] : fds[0];
	if (to_worker)
		p->out = ours;
	else
		p->in = ours;
	sigpipe_block(&old);
	if ((errno = pthread_create(&tid, NULL, worker, warg)) != 0) {
		err = be_set_error(h, BE_ERR_UNKNOWN, "cannot start a thread "
		    "to %s: %s", what, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		sigpipe_restore(&old);
		return (err);
	}
	*r = pump_run(p);
	close(ours);
	pthread_join(tid, NULL);
	sigpipe_restore(&old);
	return (BE_OK);
}

/* Stream zhp@snap into fd; on failure h holds the reason. */
static be_error_t
send_stream(be_handle_t *h, zfs_handle_t *zhp, const char *be,
    const char *snap, int fd, be_progress_fn fn, void *arg)
{
	struct sender s = { .zhp = zhp, .snap = snap, .rc = 0 };
	struct pump p = { .out = fd, .fn = fn, .arg = arg };
	enum pump_result r;
	char what[BE_PATH_MAX];
	be_error_t err;

	snprintf(what, sizeof (what), "send BE '%s'", be);
	/* Closing our end early makes zfs_send fail with EPIPE and stop. */
	if ((err = pump_with_worker(h, send_thread, &s, &s.fd, false, &p, &r,
	    what)) != BE_OK)
		return (err);
	if (r == PUMP_WRITE_FAILED)
		return (be_set_error(h, BE_ERR_IO, "cannot write the stream of "
		    "BE '%s' after %llu bytes: %s", be,
		    (unsigned long long)p.bytes, strerror(p.saved_errno)));
	if (r == PUMP_READ_FAILED)
		return (be_set_error(h, BE_ERR_IO, "cannot read the stream of "
		    "BE '%s' from libzfs: %s", be, strerror(p.saved_errno)));
	if (s.rc != 0)
		return (be_set_zfs_error(h, "cannot send BE '%s'", be));
	return (BE_OK);
}

static int
transport_snapshot_cb(zfs_handle_t *snap, void *arg)
{
	char *found = arg;
	const char *name = strchr(zfs_get_name(snap), '@') + 1;

	if (found[0] == '\0' && strncmp(name, EXPORT_PREFIX,
	    strlen(EXPORT_PREFIX)) == 0)
		snprintf(found, BE_PATH_MAX, "%s", name);
	zfs_close(snap);
	return (0);
}

/*
 * Destroy (recursively) the transport snapshots of zhp's tree.  Best effort:
 * one that cannot be destroyed (another export holds it, or a clone was made
 * of it) is left alone, and is harmless.
 */
static void
drop_transport_leftovers(zfs_handle_t *zhp)
{
	char found[BE_PATH_MAX];
	int i;

	for (i = 0; i < 16; i++) {
		found[0] = '\0';
		(void) zfsa_iter_snapshots(zhp, transport_snapshot_cb, found);
		if (found[0] == '\0' ||
		    zfs_destroy_snaps(zhp, found, B_FALSE) != 0)
			return;
	}
}

/* Remove the transport snapshot, keeping an earlier failure's message. */
static be_error_t
drop_transport_snapshot(be_handle_t *h, zfs_handle_t *zhp, char *snap,
    be_error_t err)
{
	if (zfs_destroy_snaps(zhp, snap, B_FALSE) == 0)
		return (err);
	if (err == BE_OK)
		return (be_set_zfs_error(h, "the stream was written, but the "
		    "snapshot %s@%s could not be destroyed; destroy it with "
		    "zfs destroy -r", zfs_get_name(zhp), snap));
	be_error_append(h, "; also, the snapshot %s@%s is left behind: "
	    "destroy it with zfs destroy -r", zfs_get_name(zhp), snap);
	return (err);
}

be_error_t
be_export(be_handle_t *h, const char *be, int fd, be_progress_fn fn,
    void *arg)
{
	char dataset[BE_PATH_MAX], snap[BE_PATH_MAX];
	zfs_handle_t *zhp = NULL;
	be_error_t err;

	int cleanup_fd = -1;

	if ((err = be_existing_dataset(h, be, dataset, sizeof (dataset))))
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if ((zhp = zfsa_open(h->lzh, dataset, ZFS_TYPE_FILESYSTEM)) == NULL) {
		err = be_set_zfs_error(h, "cannot open %s", dataset);
		be_unlock(h);
		goto out;
	}
	drop_transport_leftovers(zhp);
	err = take_transport_snapshot(h, dataset, snap, sizeof (snap));
	if (err == BE_OK) {
		err = hold_transport_snapshot(h, zhp, snap, &cleanup_fd);
		if (err != BE_OK)
			(void) zfs_destroy_snaps(zhp, snap, B_FALSE);
	}
	be_unlock(h);
	if (err != BE_OK)
		goto out;
	/* The hold keeps the snapshot from a destroy while it streams. */
	err = send_stream(h, zhp, be, snap, fd, fn, arg);
	(void) zfs_release(zhp, snap, EXPORT_HOLD, B_TRUE);
	close(cleanup_fd);
	err = drop_transport_snapshot(h, zhp, snap, err);
out:
	if (zhp != NULL)
		zfs_close(zhp);
	return (err == BE_OK ? be_ok(h) : err);
}

/* ---- import ----------------------------------------------------------- */

struct receiver {
	libzfs_handle_t *lzh;
	const char *dataset;
	int fd;			/* the pipe's read end, closed when done */
	int rc;
};

static void *
receive_thread(void *arg)
{
	struct receiver *r = arg;
	recvflags_t flags;

	memset(&flags, 0, sizeof (flags));
	flags.nomount = B_TRUE;	/* a BE is mounted only when booted */
	r->rc = zfs_receive(r->lzh, r->dataset, NULL, &flags, r->fd, NULL);
	/* Closing makes a writer still going get EPIPE and stop. */
	close(r->fd);
	return (NULL);
}

static be_error_t
receive_stream(be_handle_t *h, const char *dataset, const char *newbe,
    int fd, be_progress_fn fn, void *arg)
{
	struct receiver rv = { .lzh = h->lzh, .dataset = dataset };
	struct pump p = { .in = fd, .fn = fn, .arg = arg };
	enum pump_result r;
	char what[BE_PATH_MAX];
	be_error_t err;

	snprintf(what, sizeof (what), "receive BE '%s'", newbe);
	/* At the end of the stream (or our failure) zfs_receive sees EOF. */
	if ((err = pump_with_worker(h, receive_thread, &rv, &rv.fd, true, &p,
	    &r, what)) != BE_OK)
		return (err);
	if (r == PUMP_READ_FAILED)
		return (be_set_error(h, BE_ERR_IO, "cannot read the stream for "
		    "BE '%s' after %llu bytes: %s", newbe,
		    (unsigned long long)p.bytes, strerror(p.saved_errno)));
	if (rv.rc != 0)
		return (be_set_zfs_error(h, "cannot receive BE '%s' (after "
		    "%llu bytes of the stream)", newbe,
		    (unsigned long long)p.bytes));
	/* PUMP_WRITE_FAILED with a successful receive: zfs_receive stopped
	 * at the stream's end record; whatever followed is not ours. */
	return (BE_OK);
}

/*
 * Remove what a failed import received.  Only called while holding the
 * lock for a name that did not exist before, so all of it is ours.
 */
static void
discard_received(be_handle_t *h, const char *dataset)
{
	/* A volume too: a stream of one is received, then refused. */
	zfs_handle_t *zhp = zfsa_open(h->lzh, dataset,
	    ZFS_TYPE_FILESYSTEM | ZFS_TYPE_VOLUME);
	int rc;

	if (zhp == NULL)
		return;		/* nothing was created */
	rc = be_zfs_destroy_all(zhp);
	zfs_close(zhp);
	if (rc == 0)
		return;
	be_error_append(h, "; also, the partly received %s could not be "
	    "removed (%s): destroy it with zfs destroy -r", dataset,
	    libzfs_error_description(h->lzh));
}

static be_error_t
wait_for_stream(be_handle_t *h, int fd, const char *newbe)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (poll(&pfd, 1, -1) < 0) {
		if (errno != EINTR)
			return (be_set_error(h, BE_ERR_IO, "cannot wait for the "
			    "stream for BE '%s': %s", newbe, strerror(errno)));
	}
	return (BE_OK);
}

be_error_t
be_import(be_handle_t *h, const char *newbe, int fd, be_progress_fn fn,
    void *arg)
{
	char dataset[BE_PATH_MAX];
	zfs_handle_t *zhp;
	be_error_t err;

	if ((err = be_dataset_of(h, newbe, dataset, sizeof (dataset))))
		return (err);
	/*
	 * Lock only once the stream has begun: an export from this pool on
	 * the other end of a pipe takes the lock briefly before it writes.
	 */
	if ((err = wait_for_stream(h, fd, newbe)) != BE_OK)
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if (zfsa_exists(h->lzh, dataset, ZFS_TYPE_DATASET)) {
		err = be_set_error(h, BE_ERR_EXISTS, "boot environment '%s' "
		    "exists already (dataset %s); import under another name",
		    newbe, dataset);
		goto out;
	}
	/* Marked until it is whole: a killed import leaves nothing that the
	 * next beadm lists (be_making.c). */
	if ((err = be_making_begin(h, newbe, NULL)) != BE_OK)
		goto out;
	err = receive_stream(h, dataset, newbe, fd, fn, arg);
	if (err == BE_OK && !zfsa_exists(h->lzh, dataset, ZFS_TYPE_FILESYSTEM))
		err = be_set_error(h, BE_ERR_INVALID, "the stream for BE '%s' "
		    "holds no file system (a volume?): a boot environment is a "
		    "file system; nothing was kept", newbe);
	if (err == BE_OK)
		err = be_settle_canmount(h, dataset);
	if (err != BE_OK) {
		discard_received(h, dataset);
		if (!zfsa_exists(h->lzh, dataset, ZFS_TYPE_DATASET))
			(void) be_making_end(h);
		goto out;
	}
	if ((zhp = zfsa_open(h->lzh, dataset, ZFS_TYPE_FILESYSTEM)) != NULL) {
		drop_transport_leftovers(zhp);
		zfs_close(zhp);
	}
	err = be_making_end(h);
out:
	be_unlock(h);
	return (err == BE_OK ? be_ok(h) : err);
}
