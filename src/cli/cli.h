/*
 * cli.h - what beadm's command files share: the command signature, opening
 * the library, reporting its errors, and the exit statuses of beadm(8).
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>

#include "be.h"

/* Exit statuses, documented in beadm(8) under EXIT STATUS. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* any failure without a status of its own */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_BADNAME = 3,
	EXIT_NOENT = 4,
	EXIT_EXISTS = 5,
	EXIT_NOPOOL = 6,
	EXIT_BUSY = 7,
	EXIT_PERM = 8,
	EXIT_REFUSED = 9,
	EXIT_NOSPACE = 10,
};

struct cli {
	const char *beroot;	/* -r BEROOT, NULL when not given */
};

struct command {
	const char *name;
	int (*run)(int argc, char **argv, struct cli *);
	const char *usage;	/* the synopsis lines, without "beadm " */
	const char *summary;	/* one line for `beadm help` */
};

extern const struct command commands[];
const struct command *cli_find_command(const char *name);

/* Print COMMAND's usage to stderr and return EXIT_USAGE. */
int cli_usage(const char *command);
/* Print COMMAND's usage to stdout and return EXIT_OK (for --help). */
int cli_help(const char *command);
/* Reset getopt for a command's own argument vector. */
void cli_reset_getopt(void);

/* Open the library on the BE root; on failure print why and return NULL
 * with *status set. */
be_handle_t *cli_open(struct cli *, int *status);
/* Print "beadm: MESSAGE" for h's last error and return its exit status. */
int cli_fail(be_handle_t *);
int cli_exit_status(be_error_t);

/* Human-readable sizes as zfs prints them (1.5G, 812K, 0B). */
void cli_nicenum(uint64_t n, char *buf, size_t sz);

/* Ask yes/no on the terminal; false when not a terminal. */
bool cli_confirm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_activate(int, char **, struct cli *);
int cmd_apt_hook(int, char **, struct cli *);
int cmd_bless(int, char **, struct cli *);
int cmd_check(int, char **, struct cli *);
int cmd_chroot(int, char **, struct cli *);
int cmd_consolidate(int, char **, struct cli *);
int cmd_create(int, char **, struct cli *);
int cmd_destroy(int, char **, struct cli *);
int cmd_diff(int, char **, struct cli *);
int cmd_export(int, char **, struct cli *);
int cmd_help(int, char **, struct cli *);
int cmd_import(int, char **, struct cli *);
int cmd_init(int, char **, struct cli *);
int cmd_install(int, char **, struct cli *);
int cmd_kernel(int, char **, struct cli *);
int cmd_list(int, char **, struct cli *);
int cmd_mount(int, char **, struct cli *);
int cmd_refresh(int, char **, struct cli *);
int cmd_rename(int, char **, struct cli *);
int cmd_rollback(int, char **, struct cli *);
int cmd_snapshot(int, char **, struct cli *);
int cmd_umount(int, char **, struct cli *);
int cmd_version(int, char **, struct cli *);
int cmd_vm(int, char **, struct cli *);

#endif /* CLI_H */
