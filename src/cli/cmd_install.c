/*
 * cmd_install.c - beadm install [--copy-config] [--keep-failed]
 *                               [-d DESCRIPTION] NEWBE SOURCE
 *                 beadm install --root-dir DIR [--copy-config] SOURCE
 *
 * Creates NEWBE empty and fills it from SOURCE, a root file-system tarball
 * or debootstrap:SUITE; it is left unmounted and not active.  A tarball's
 * progress shows on a terminal; debootstrap's own output is the progress
 * there, and elsewhere it is kept quiet, its last lines printed only when
 * it fails.  SIGINT, SIGTERM and SIGHUP ask the library to stop: it cleans
 * up (the half-made BE goes unless --keep-failed) and then beadm dies of
 * the signal, as an interrupted program should.  --root-dir fills an empty
 * directory instead of a BE (for testing debootstrap without ZFS).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_progress.h"

#define LOG_TAIL_LINES	25

struct install_args {
	be_install_opts_t o;
	const char *newbe;
	const char *source;
	const char *root_dir;
	struct cli_progress progress;
};

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
note(const char *msg, void *arg)
{
	struct install_args *a = arg;

	fflush(stderr);
	if (a->progress.shown)
		fprintf(stderr, "\r\033[K");
	printf("beadm install: %s\n", msg);
	fflush(stdout);
}

static void
progress(uint64_t bytes, void *arg)
{
	struct install_args *a = arg;

	cli_progress_update(bytes, &a->progress);
}

/* 0 to go on, else the exit status. */
static int
parse(int argc, char **argv, struct install_args *a)
{
	enum { O_COPY = 256, O_KEEP, O_ROOTDIR };
	static const struct option longopts[] = {
		{ "copy-config", no_argument, NULL, O_COPY },
		{ "keep-failed", no_argument, NULL, O_KEEP },
		{ "root-dir", required_argument, NULL, O_ROOTDIR },
		{ NULL, 0, NULL, 0 }
	};
	int ch, n;

	while ((ch = getopt_long(argc, argv, "d:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			a->o.description = optarg;
			break;
		case O_COPY:
			a->o.copy_config = true;
			break;
		case O_KEEP:
			a->o.keep_failed = true;
			break;
		case O_ROOTDIR:
			a->root_dir = optarg;
			break;
		default:
			return (cli_usage("install"));
		}
	}
	n = argc - optind;
	if (a->root_dir != NULL ? (n != 1 || a->o.keep_failed ||
	    a->o.description != NULL) : n != 2)
		return (cli_usage("install"));
	a->newbe = a->root_dir == NULL ? argv[optind] : NULL;
	a->source = argv[argc - 1];
	return (0);
}

static void
catch_signals(struct sigaction old[3])
{
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal,
	    .sa_flags = SA_RESTART };
	int i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++)
		(void) sigaction(sigs[i], &sa, &old[i]);
}

/* debootstrap's last lines, from its log, after it failed. */
static void
print_tail(FILE *log)
{
	char *lines[LOG_TAIL_LINES] = { NULL }, *line = NULL;
	size_t cap = 0, n = 0, i;

	if (log == NULL || fseek(log, 0, SEEK_SET) != 0)
		return;
	while (getline(&line, &cap, log) >= 0) {
		free(lines[n % LOG_TAIL_LINES]);
		lines[n++ % LOG_TAIL_LINES] = line;
		line = NULL;
		cap = 0;
	}
	free(line);
	if (n > 0)
		fprintf(stderr, "beadm: the last lines debootstrap wrote:\n");
	for (i = n > LOG_TAIL_LINES ? n - LOG_TAIL_LINES : 0; i < n; i++)
		fprintf(stderr, "  %s", lines[i % LOG_TAIL_LINES]);
	for (i = 0; i < LOG_TAIL_LINES; i++)
		free(lines[i]);
}

static be_error_t
run(be_handle_t *h, struct install_args *a)
{
	if (a->root_dir != NULL)
		return (be_install_dir(h, a->root_dir, a->source, &a->o));
	return (be_install(h, a->newbe, a->source, &a->o));
}

static int
install(struct cli *cli, struct install_args *a)
{
	bool bootstrap = strncmp(a->source, "debootstrap:", 12) == 0;
	FILE *log = NULL;
	be_handle_t *h;
	int status = EXIT_OK;

	/* --root-dir needs no pool, nor ZFS at all. */
	if (a->root_dir != NULL ? (h = be_init()) == NULL :
	    (h = cli_open(cli, &status)) == NULL) {
		if (a->root_dir != NULL)
			fprintf(stderr, "beadm: out of memory\n");
		return (a->root_dir != NULL ? EXIT_FAIL : status);
	}
	if (bootstrap && !isatty(STDERR_FILENO) && (log = tmpfile()) != NULL)
		a->o.log_fd = fileno(log);
	if (!bootstrap) {
		a->o.progress = progress;
		cli_progress_start(&a->progress, "installing", "installed",
		    a->newbe != NULL ? a->newbe : a->root_dir);
	}
	if (run(h, a) != BE_OK) {
		if (!bootstrap)
			cli_progress_end(&a->progress, false);
		status = cli_fail(h);
		print_tail(log);
	} else {
		if (!bootstrap)
			cli_progress_end(&a->progress, true);
		if (a->newbe != NULL)
			printf("Installed BE '%s' from %s (not active; beadm "
			    "activate %s boots it).\n", a->newbe, a->source,
			    a->newbe);
		else
			printf("Installed %s into %s.\n", a->source,
			    a->root_dir);
	}
	if (log != NULL)
		fclose(log);
	be_fini(h);
	return (status);
}

int
cmd_install(int argc, char **argv, struct cli *cli)
{
	struct install_args a = { .o = { .log_fd = -1, .note = note,
	    .stop = &stop_signal } };
	struct sigaction old[3];
	int status, sig;

	a.o.arg = &a;
	if ((status = parse(argc, argv, &a)) != 0)
		return (status);
	catch_signals(old);
	status = install(cli, &a);
	(void) sigaction(SIGINT, &old[0], NULL);
	(void) sigaction(SIGTERM, &old[1], NULL);
	(void) sigaction(SIGHUP, &old[2], NULL);
	/* Cleaned up: now end as the signal asked, so callers see it. */
	if ((sig = stop_signal) != 0) {
		fflush(NULL);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return (status);
}
