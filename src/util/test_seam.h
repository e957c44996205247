/*
 * test_seam.h - the one place where tests reach into beadm.
 *
 * A test seam is an environment variable that makes beadm look somewhere
 * else (a fake running BE, efivars in a directory, a fake QEMU) or fail on
 * purpose (a crash at the Nth ESP write).  Only a test build reads them
 * (meson -Dtest_seams=true, as scripts/build-series builds): in any other
 * build test_seam() is NULL whatever the environment holds, and no seam's
 * name is left in the binary, so that no environment passed through sudo
 * can steer beadm running as root.
 *
 * Every seam goes through test_seam(); tests/run-all's build step fails if
 * the sources read a BEADM_ variable any other way.
 */
#ifndef TEST_SEAM_H
#define	TEST_SEAM_H

#include <stdlib.h>

static inline const char *
test_seam(const char *name)
{
#ifdef BEADM_TEST_SEAMS
	return (getenv(name));
#else
	(void)name;
	return (NULL);
#endif
}

/*
 * The crash seam: when BEADM_TEST_CRASH_AT=N is set, the N-th call of
 * test_crash_point() in the process kills it with SIGKILL, as a power cut
 * or the OOM killer would.  It is called before each step that changes an
 * ESP (esp_io.c) or the pool (a new BE's clones, its mark of completion,
 * what a repairing run destroys), so that one counter walks a command
 * through all of them.  A forked child reads the variable again and counts
 * from 1.  In a build without seams it does nothing.
 */
void test_crash_point(void);

#endif /* TEST_SEAM_H */
