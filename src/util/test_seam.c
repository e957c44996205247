/*
 * test_seam.c - the crash seam (test_seam.h).
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_seam.h"

void
test_crash_point(void)
{
#ifdef BEADM_TEST_SEAMS
	static pid_t pid;
	static long crash_at, calls;

	/* Read once per process: a forked test child counts on its own. */
	if (pid != getpid()) {
		const char *s = test_seam("BEADM_TEST_CRASH_AT");

		pid = getpid();
		calls = 0;
		crash_at = s != NULL ? strtol(s, NULL, 10) : 0;
	}
	if (crash_at > 0 && ++calls == crash_at)
		(void) kill(getpid(), SIGKILL);
#endif
}
