/*
 * cli_progress.h - the progress line of export and import on a terminal.
 */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct cli_progress {
	const char *verb;	/* "exporting", "importing" */
	const char *done;	/* "exported", "imported" */
	const char *be;
	bool shown;		/* stderr is a terminal */
	struct timespec start, last;
	uint64_t bytes;
};

void cli_progress_start(struct cli_progress *, const char *verb,
    const char *done, const char *be);
/* A be_progress_fn: redraws the line at most once a second. */
void cli_progress_update(uint64_t bytes, void *arg);
/* The final line (only when shown); ok false clears the line instead. */
void cli_progress_end(struct cli_progress *, bool ok);

#endif /* CLI_PROGRESS_H */
