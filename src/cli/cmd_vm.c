/*
 * cmd_vm.c - beadm vm BE [--check] [--timeout S] [--mem MB] [--cpus N]
 *            [--net] [--keep] [--accel auto|kvm|tcg] [--kernel KVER]
 *            [--share auto|virtiofs|9p]
 *            beadm vm --root-dir DIR [options]
 *
 * Boots a throwaway clone of BE under QEMU, so that an upgraded BE can be
 * tried before it is activated; the BE itself is never written.  --check
 * runs headless and prints pass or fail; otherwise QEMU gets the terminal.
 * --keep keeps the booted clone as a new BE.  --root-dir boots a directory
 * instead of a BE (a debugging aid: no ZFS at all).
 *
 * SIGINT, SIGTERM and SIGHUP stay blocked for the whole command, so that
 * nothing interrupts a ZFS change halfway; the boot part reads them when
 * it waits for QEMU, the clone is cleaned up on every path, and then beadm
 * dies of the signal, as a program interrupted should.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../vm/vm.h"

struct vm_args {
	struct vm_opts o;
	const char *be;
	const char *root_dir;
	bool keep;
	char deflt[128];	/* the kernel the BE boots by default, or "" */
};

static bool
parse_num(const char *opt, const char *arg, long lo, long hi, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "beadm: %s takes a number from %ld to %ld, "
		    "not '%s'\n", opt, lo, hi, arg);
		return (false);
	}
	*out = (int)v;
	return (true);
}

/*
 * The index in names[] (in the order of the option's enum) of arg, the
 * value of --opt; -1 after saying which values it takes.
 */
static int
parse_choice(const char *opt, const char *arg, const char *const names[3])
{
	for (int i = 0; i < 3; i++)
		if (strcmp(arg, names[i]) == 0)
			return (i);
	fprintf(stderr, "beadm: --%s takes %s, %s or %s, not '%s'\n", opt,
	    names[0], names[1], names[2], arg);
	return (-1);
}

/* 0 to go on, else the exit status. */
static int
parse(int argc, char **argv, struct vm_args *a)
{
	enum { O_CHECK = 256, O_TIMEOUT, O_MEM, O_CPUS, O_NET, O_KEEP, O_ACCEL,
		O_KERNEL, O_ROOTDIR, O_SHARE };
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, O_CHECK },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "mem", required_argument, NULL, O_MEM },
		{ "cpus", required_argument, NULL, O_CPUS },
		{ "net", no_argument, NULL, O_NET },
		{ "keep", no_argument, NULL, O_KEEP },
		{ "accel", required_argument, NULL, O_ACCEL },
		{ "kernel", required_argument, NULL, O_KERNEL },
		{ "root-dir", required_argument, NULL, O_ROOTDIR },
		{ "share", required_argument, NULL, O_SHARE },
		{ NULL, 0, NULL, 0 }
	};
	int ch, n, c;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case O_CHECK:
			a->o.check = true;
			break;
		case O_TIMEOUT:
			if (!parse_num("--timeout", optarg, 1, 86400,
			    &a->o.timeout))
				return (EXIT_USAGE);
			break;
		case O_MEM:
			if (!parse_num("--mem", optarg, 128, 1048576,
			    &a->o.mem_mb))
				return (EXIT_USAGE);
			break;
		case O_CPUS:
			if (!parse_num("--cpus", optarg, 1, 64, &a->o.cpus))
				return (EXIT_USAGE);
			break;
		case O_NET:
			a->o.net = true;
			break;
		case O_KEEP:
			a->keep = true;
			break;
		case O_ACCEL:
			/* In the order of enum vm_accel. */
			if ((c = parse_choice("accel", optarg, (const char *[])
			    { "auto", "kvm", "tcg" })) < 0)
				return (EXIT_USAGE);
			a->o.accel = (enum vm_accel)c;
			break;
		case O_KERNEL:
			a->o.kernel = optarg;
			break;
		case O_ROOTDIR:
			a->root_dir = optarg;
			break;
		case O_SHARE:
			/* In the order of enum vm_share. */
			if ((c = parse_choice("share", optarg, (const char *[])
			    { "auto", "9p", "virtiofs" })) < 0)
				return (EXIT_USAGE);
			a->o.share = (enum vm_share)c;
			break;
		default:
			return (cli_usage("vm"));
		}
	}
	n = argc - optind;
	if (a->root_dir != NULL ? (n != 0 || a->keep) : n != 1)
		return (cli_usage("vm"));
	a->be = a->root_dir == NULL ? argv[optind] : NULL;
	if (a->o.kernel != NULL && (a->o.kernel[0] == '\0' ||
	    strchr(a->o.kernel, '/') != NULL)) {
		fprintf(stderr, "beadm: --kernel takes a kernel version such "
		    "as 6.1.0-28-amd64, not '%s'\n", a->o.kernel);
		return (EXIT_USAGE);
	}
	return (0);
}

/* --share virtiofs without a virtiofsd: say so before a clone is made
 * (whether the kernel has virtiofs is known only from the clone). */
static int
check_share(const struct vm_args *a)
{
	char path[PATH_MAX], err[VM_ERR_MAX];

	if (a->o.share != VM_SHARE_VIRTIOFS ||
	    vm_find_virtiofsd(path, sizeof (path), err) == 0)
		return (0);
	fprintf(stderr, "beadm: cannot share the root over virtiofs: %s\n",
	    err);
	return (EXIT_FAIL);
}

static void
note(const char *msg, void *arg)
{
	fprintf(stderr, "beadm vm: %s\n", msg);
}

static void
report(const struct vm_args *a, const struct vm_result *res,
    const char *what)
{
	if (!a->o.check) {
		if (res->verdict == VM_FAIL)
			fprintf(stderr, "beadm: %s: %s\n", what, res->reason);
		return;
	}
	if (res->verdict == VM_PASS) {
		printf("pass: %s booted to its default target in %.0f s "
		    "(state: %s%s%s) [%s]\n", what, res->seconds, res->state,
		    res->failed_units[0] ? ", failed units: " : "",
		    res->failed_units, res->accel);
		return;
	}
	printf("fail: %s\n", res->reason);
	fflush(stdout);
	if (res->tail != NULL && res->tail[0] != '\0')
		fprintf(stderr, "last console lines:\n%s", res->tail);
	if (res->log[0] != '\0')
		fprintf(stderr, "the whole console log: %s\n", res->log);
}

/* Boot dir; the exit status, and in *signo the signal that stopped it. */
static int
boot(const struct vm_args *a, const char *dir, const char *what, int *signo)
{
	struct vm_opts o = a->o;
	struct vm_result res;
	char kver[256], kernel[PATH_MAX], err[VM_ERR_MAX];
	int status;

	o.root = dir;
	/* Without --kernel, what the BE would boot: its pinned kernel, say. */
	if (o.kernel == NULL && a->deflt[0] != '\0') {
		if (vm_find_kernel(dir, a->deflt, kver, sizeof (kver), kernel,
		    sizeof (kernel), err) == 0)
			o.kernel = a->deflt;
		else
			fprintf(stderr, "beadm vm: not the kernel %s boots by "
			    "default: %s; taking the newest that has modules\n",
			    what, err);
	}
	if (vm_find_kernel(dir, o.kernel, kver, sizeof (kver), kernel,
	    sizeof (kernel), err) != 0) {
		fprintf(stderr, "beadm: cannot boot %s: %s\n", what, err);
		return (EXIT_NOENT);
	}
	if (vm_boot(&o, &res, err) != 0) {
		fprintf(stderr, "beadm: cannot boot %s: %s\n", what, err);
		return (EXIT_FAIL);
	}
	report(a, &res, what);
	status = res.verdict == VM_PASS ? EXIT_OK : EXIT_FAIL;
	*signo = res.signal;
	vm_result_free(&res);
	return (status);
}

#ifdef __FreeBSD__
/* No QEMU here: show how bhyve would boot the BE (not run, not tested). */
static int
bhyve_lines(const struct vm_args *a, struct cli *cli)
{
	be_handle_t *h;
	int status;

	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	printf("beadm vm runs QEMU on Linux only.  With bhyve, after\n"
	    "  beadm create %s-vm && beadm mount %s-vm /mnt\n"
	    "a boot of it looks like:\n"
	    "  bhyveload -m %dM -d /dev/zvol/... -e vfs.root.mountfrom="
	    "zfs:%s/%s-vm %s-vm\n"
	    "  bhyve -c %d -m %dM -H -A -P -s 0:0,hostbridge -s 1:0,lpc "
	    "-s 2:0,virtio-blk,/dev/zvol/... -l com1,stdio %s-vm\n"
	    "(bhyveload needs a disk or zvol holding the pool; a 9p root as "
	    "on Linux is not available.)\n", a->be, a->be, a->o.mem_mb,
	    be_root(h), a->be, a->be, a->o.cpus, a->o.mem_mb, a->be);
	be_fini(h);
	return (EXIT_OK);
}
#endif

/*
 * The kernel the BE boots by default from the ESPs (the pinned one, else
 * the newest with entries), into a->deflt.  Best effort: a BE whose
 * kernels cannot be listed boots its newest kernel, as without a pin.
 */
static void
default_kernel(be_handle_t *h, struct vm_args *a)
{
	be_kernel_list_t *kl;

	if (be_kernel_list(h, a->be, &kl) != BE_OK)
		return;
	for (size_t i = 0; i < kl->count; i++)
		if (kl->kernels[i].deflt)
			snprintf(a->deflt, sizeof (a->deflt), "%s",
			    kl->kernels[i].version);
	be_kernel_list_free(kl);
}

static int
boot_be(struct vm_args *a, struct cli *cli, int *signo)
{
	char clone[BE_NAME_MAX + 1], mnt[PATH_MAX], what[BE_NAME_MAX + 32];
	be_handle_t *h;
	int status, rel;

	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (a->o.kernel == NULL)
		default_kernel(h, a);
	if (be_vm_prepare(h, a->be, clone, sizeof (clone), mnt,
	    sizeof (mnt)) != BE_OK) {
		status = cli_fail(h);
		be_fini(h);
		return (status);
	}
	fprintf(stderr, "beadm vm: booting a clone of '%s' (%s, mounted at "
	    "%s)\n", a->be, clone, mnt);
	snprintf(what, sizeof (what), "boot environment '%s'", a->be);
	status = boot(a, mnt, what, signo);
	if (be_vm_release(h, clone, a->keep) != BE_OK) {
		rel = cli_fail(h);
		fprintf(stderr, "beadm: the clone %s is left over; remove it "
		    "with 'beadm destroy -F %s'\n", clone, clone);
		if (status == EXIT_OK)
			status = rel;
	} else if (a->keep) {
		printf("kept: %s is a new boot environment with what the test "
		    "boot left in it; 'beadm activate %s' boots it\n", clone,
		    clone);
	}
	be_fini(h);
	return (status);
}

int
cmd_vm(int argc, char **argv, struct cli *cli)
{
	struct vm_args a = { .o = { .timeout = 300, .mem_mb = 1024,
	    .cpus = 2, .accel = VM_ACCEL_AUTO, .note = note } };
	sigset_t stop, old;
	int status, signo = 0;

	if ((status = parse(argc, argv, &a)) != 0 ||
	    (status = check_share(&a)) != 0)
		return (status);
#ifdef __FreeBSD__
	if (a.be != NULL)
		return (bhyve_lines(&a, cli));
#endif
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	a.o.stop_signals = &stop;
	if (a.root_dir != NULL)
		status = boot(&a, a.root_dir, a.root_dir, &signo);
	else
		status = boot_be(&a, cli, &signo);
	/* Cleaned up: now end as the signal asked, so callers see it. */
	if (signo != 0) {
		fflush(NULL);
		signal(signo, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		raise(signo);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return (status);
}
