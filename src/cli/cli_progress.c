/*
 * cli_progress.c - "exporting 'x': 1.20G, 45.3M/s, 27 s" on standard error,
 * redrawn in place about once a second, only when standard error is a
 * terminal (scripts and logs get nothing).
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "cli_progress.h"

static double
seconds_between(const struct timespec *a, const struct timespec *b)
{
	return ((double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9);
}

static void
draw(struct cli_progress *p, const char *verb, const char *end)
{
	char size[32], rate[32];
	struct timespec now;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = seconds_between(&p->start, &now);
	cli_nicenum(p->bytes, size, sizeof (size));
	cli_nicenum(secs > 0.01 ? (uint64_t)((double)p->bytes / secs) : 0,
	    rate, sizeof (rate));
	/* \r and erase-to-end-of-line: redraw over the previous line. */
	fprintf(stderr, "\r%s '%s': %s, %s/s, %.0f s\033[K%s", verb, p->be,
	    size, rate, secs, end);
	fflush(stderr);
}

void
cli_progress_start(struct cli_progress *p, const char *verb,
    const char *done, const char *be)
{
	p->verb = verb;
	p->done = done;
	p->be = be;
	p->bytes = 0;
	p->shown = isatty(STDERR_FILENO) != 0;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

void
cli_progress_update(uint64_t bytes, void *arg)
{
	struct cli_progress *p = arg;
	struct timespec now;

	p->bytes = bytes;
	if (!p->shown)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (seconds_between(&p->last, &now) < 1.0)
		return;
	p->last = now;
	draw(p, p->verb, "");
}

void
cli_progress_end(struct cli_progress *p, bool ok)
{
	if (!p->shown)
		return;
	if (ok)
		draw(p, p->done, "\n");
	else if (seconds_between(&p->start, &p->last) > 0)
		fprintf(stderr, "\r\033[K");	/* the error line follows */
}
