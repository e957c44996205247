/*
 * bench/mkclones ORIGIN_SNAPSHOT THREADS < names
 *
 * Benchmark set-up only (never timed): clones ORIGIN_SNAPSHOT once per
 * dataset name read from stdin (one a line), with canmount=noauto and
 * mountpoint=/ like a boot environment, from THREADS threads in one process.
 * Under TCG emulation a zfs(8) process costs about a second to start, so a
 * thousand `zfs clone` commands would take many minutes; one ioctl per clone
 * from a few threads (which share transaction groups) takes far less.
 * Built by bench/build against the VM's libzfs_core.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libzfs_core.h>

static const char *origin;
static char **names;
static size_t count, next;
static int failed;
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;

static void *
worker(void *arg)
{
	nvlist_t *props = arg;

	for (;;) {
		size_t i;
		int rc;

		pthread_mutex_lock(&mtx);
		if (failed || next == count) {
			pthread_mutex_unlock(&mtx);
			return (NULL);
		}
		i = next++;
		pthread_mutex_unlock(&mtx);
		if ((rc = lzc_clone(names[i], origin, props)) != 0) {
			fprintf(stderr, "mkclones: cannot clone %s as %s: %s\n",
			    origin, names[i], strerror(rc));
			pthread_mutex_lock(&mtx);
			failed = 1;
			pthread_mutex_unlock(&mtx);
		}
	}
}

int
main(int argc, char **argv)
{
	char line[1024];
	size_t cap = 0;
	int nthreads, i;
	pthread_t *tids;
	nvlist_t *props;

	if (argc != 3 || (nthreads = atoi(argv[2])) < 1 || nthreads > 256) {
		fprintf(stderr, "usage: mkclones ORIGIN_SNAPSHOT THREADS < names\n");
		return (2);
	}
	origin = argv[1];
	while (fgets(line, sizeof (line), stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			if ((names = realloc(names, cap * sizeof (*names))) == NULL)
				return (1);
		}
		if ((names[count++] = strdup(line)) == NULL)
			return (1);
	}
	if (libzfs_core_init() != 0) {
		fprintf(stderr, "mkclones: cannot open /dev/zfs: %s\n",
		    strerror(errno));
		return (1);
	}
	/* The kernel wants index properties as numbers: canmount noauto = 2. */
	if (nvlist_alloc(&props, NV_UNIQUE_NAME, 0) != 0 ||
	    nvlist_add_uint64(props, "canmount", 2) != 0 ||
	    nvlist_add_string(props, "mountpoint", "/") != 0)
		return (1);
	if ((tids = calloc(nthreads, sizeof (*tids))) == NULL)
		return (1);
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&tids[i], NULL, worker, props) != 0)
			return (1);
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
	nvlist_free(props);
	libzfs_core_fini();
	return (failed);
}
