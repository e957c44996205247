/*
 * cmd_chroot.c - beadm chroot BE [COMMAND [ARG...]]
 *
 * The library mounts and binds (be_chroot_enter) and undoes it again; this
 * file runs the program, because how a process treats signals and the
 * terminal is the program's choice, not a library's.  While the program
 * runs beadm ignores SIGINT and SIGQUIT (the terminal sends them to the
 * program too, and beadm must live on to clean up), and passes SIGTERM
 * and SIGHUP on to it, waits for it and still cleans up.  beadm exits with
 * the program's status, 128 + the signal's number when a signal ended it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define FALLBACK_SHELL	"/bin/sh"

static volatile sig_atomic_t child_pid;

static void
forward_signal(int sig)
{
	if (child_pid > 0)
		(void) kill((pid_t)child_pid, sig);
}

/* What beadm had before it took over the signals, for the program. */
struct saved_signals {
	struct sigaction intr, quit, term, hup;
	sigset_t mask;
};

static void
take_signals(struct saved_signals *s)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN };
	struct sigaction forward = { .sa_handler = forward_signal };
	sigset_t block;

	sigemptyset(&ignore.sa_mask);
	sigemptyset(&forward.sa_mask);
	/* Until the child's pid is known, a SIGTERM would have nowhere to go:
	 * hold it back until then. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	(void) sigprocmask(SIG_BLOCK, &block, &s->mask);
	(void) sigaction(SIGINT, &ignore, &s->intr);
	(void) sigaction(SIGQUIT, &ignore, &s->quit);
	(void) sigaction(SIGTERM, &forward, &s->term);
	(void) sigaction(SIGHUP, &forward, &s->hup);
}

static void
give_back_signals(const struct saved_signals *s)
{
	(void) sigaction(SIGINT, &s->intr, NULL);
	(void) sigaction(SIGQUIT, &s->quit, NULL);
	(void) sigaction(SIGTERM, &s->term, NULL);
	(void) sigaction(SIGHUP, &s->hup, NULL);
	(void) sigprocmask(SIG_SETMASK, &s->mask, NULL);
}

/* In the child: never returns. */
static void
run_in(const char *root, const char *be, char **argv,
    const struct saved_signals *s)
{
	char *shell_argv[] = { NULL, "-i", NULL };

	give_back_signals(s);
	if (chroot(root) != 0 || chdir("/") != 0) {
		fprintf(stderr, "beadm: cannot chroot into %s: %s\n", root,
		    strerror(errno));
		_exit(126);
	}
	if (argv[0] == NULL) {
		/* The user's shell may not be installed in the BE. */
		shell_argv[0] = getenv("SHELL");
		if (shell_argv[0] == NULL || access(shell_argv[0], X_OK) != 0)
			shell_argv[0] = FALLBACK_SHELL;
		argv = shell_argv;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "beadm: cannot run %s in boot environment '%s': %s\n",
	    argv[0], be, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* The program's exit status, as a shell reports it. */
static int
run_program(const char *root, const char *be, char **argv)
{
	struct saved_signals saved;
	int wstatus;
	pid_t pid, got;

	fflush(NULL);
	take_signals(&saved);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "beadm: cannot start a process: %s\n",
		    strerror(errno));
		give_back_signals(&saved);
		return (EXIT_FAIL);
	}
	if (pid == 0)
		run_in(root, be, argv, &saved);
	child_pid = pid;
	(void) sigprocmask(SIG_SETMASK, &saved.mask, NULL);
	while ((got = waitpid(pid, &wstatus, 0)) < 0 && errno == EINTR)
		continue;
	child_pid = 0;
	give_back_signals(&saved);
	if (got < 0) {
		fprintf(stderr, "beadm: cannot wait for %s: %s\n",
		    argv[0] != NULL ? argv[0] : "the shell", strerror(errno));
		return (EXIT_FAIL);
	}
	if (WIFSIGNALED(wstatus))
		return (128 + WTERMSIG(wstatus));
	return (WEXITSTATUS(wstatus));
}

int
cmd_chroot(int argc, char **argv, struct cli *cli)
{
	be_chroot_t *c;
	be_handle_t *h;
	const char *be;
	int status, rc;

	/* '+': options after BE belong to the program. */
	if (getopt(argc, argv, "+") != -1)
		return (cli_usage("chroot"));
	if (argc - optind < 1)
		return (cli_usage("chroot"));
	be = argv[optind];
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (be_chroot_enter(h, be, &c) != BE_OK) {
		status = cli_fail(h);
		be_fini(h);
		return (status);
	}
	rc = run_program(be_chroot_root(c), be, argv + optind + 1);
	/* A cleanup that fails must not pass for success. */
	if (be_chroot_leave(h, c) != BE_OK) {
		status = cli_fail(h);
		if (rc == EXIT_OK)
			rc = status;
	}
	be_fini(h);
	return (rc);
}
