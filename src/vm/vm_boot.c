/*
 * vm_boot.c - running QEMU on a root tree, and in check mode reading its
 * serial console until the guest says how its boot ended.
 *
 * Interactive mode gives QEMU the terminal (serial console and monitor on
 * stdio) and waits.  Check mode runs QEMU headless with the serial console
 * on a pipe, keeps the whole console in a log file and its last lines in
 * memory, and decides: the guest's "beadm-vm: booted STATE" line (written
 * by the ready unit of vm_init.c) passes, its "beadm-vm: failed: ..." line,
 * a kernel panic, QEMU's death or the timeout fail.
 *
 * The root reaches the guest over virtiofs when a virtiofsd is there (one
 * started for each QEMU run, since it ends when QEMU disconnects, and
 * stopped after it), else over 9p, which QEMU serves itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"
#include "test_seam.h"

#ifndef BEADM_LIBEXECDIR
#define BEADM_LIBEXECDIR	"/usr/lib/beadm"
#endif

extern char **environ;

#define TAIL_LINES	40
#define LINE_MAX_LEN	512
/* A KVM guest that hangs does so before the kernel prints anything. */
#define KVM_SILENCE_S	15

struct console {
	char line[LINE_MAX_LEN];
	size_t len;
	char tail[TAIL_LINES][LINE_MAX_LEN];
	size_t ntail;		/* lines seen in all */
	FILE *log;
	int esc;		/* in an escape sequence: 1 ESC, 2 CSI */
	bool kernel_spoke;	/* the kernel proper printed a line */
	bool decided;
};

struct run {
	const struct vm_opts *o;
	const char *kernel, *initrd;
	const char *accel;	/* "kvm", "tcg" */
	pid_t pid;
	enum vm_share share;	/* VM_SHARE_9P or VM_SHARE_VIRTIOFS */
	const char *virtiofsd;	/* virtiofs: the program, its socket, log */
	const char *sock, *vlog;
	pid_t vpid;		/* virtiofsd, while it runs */
};

/* ---- small helpers ------------------------------------------------------ */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static void
note(const struct vm_opts *o, const char *fmt, const char *arg)
{
	char msg[VM_ERR_MAX + PATH_MAX + 128];

	if (o->note == NULL)
		return;
	snprintf(msg, sizeof (msg), fmt, arg);
	o->note(msg, o->note_arg);
}

/* beadm-vm-init: $BEADM_VM_INIT (a test seam), next to beadm (a build tree), or
 * installed under libexecdir. */
static void
find_init(char *buf, size_t sz)
{
	const char *env = test_seam("BEADM_VM_INIT");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env != NULL && env[0] != '\0') {
		snprintf(buf, sz, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof (self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(buf, sz, "%s/beadm-vm-init",
			    self) < sz && access(buf, R_OK) == 0)
				return;
		}
	}
	snprintf(buf, sz, "%s/beadm-vm-init", BEADM_LIBEXECDIR);
}

static bool
kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return (false);
	close(fd);
	return (true);
}

/* QEMU's option syntax: a ',' in a value is written ",,". */
static void
qemu_escape(char *buf, size_t sz, const char *s)
{
	size_t o = 0;

	for (; *s != '\0' && o + 2 < sz; s++) {
		buf[o++] = *s;
		if (*s == ',')
			buf[o++] = ',';
	}
	buf[o] = '\0';
}

/* ---- QEMU --------------------------------------------------------------- */

static int
spawn_qemu(struct run *r, int outfd, char *err)
{
	const struct vm_opts *o = r->o;
	const char *qemu = test_seam("BEADM_QEMU");
	char mem[16], cpus[16], accel[32], root[PATH_MAX * 2], virtfs[PATH_MAX * 3];
	char append[256], memobj[64], chardev[PATH_MAX * 2 + 32];
	const char *argv[40];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	size_t n = 0;
	int rc;

	if (qemu == NULL || qemu[0] == '\0')
		qemu = "qemu-system-x86_64";
	snprintf(mem, sizeof (mem), "%d", o->mem_mb);
	snprintf(cpus, sizeof (cpus), "%d", o->cpus);
	snprintf(accel, sizeof (accel), "%s", r->accel);
	qemu_escape(root, sizeof (root), o->root);
	snprintf(virtfs, sizeof (virtfs), "local,path=%s,mount_tag=%s,"
	    "security_model=passthrough,multidevs=remap", root, VM_TAG);
	/* fstab=no: the BE's fstab names disks this machine does not have
	 * (an ESP at /boot/efi), which would end in emergency mode. */
	snprintf(append, sizeof (append), "console=ttyS0 panic=-1 "
	    "beadm.root=%s beadm.rootfs=%s fstab=no rw", VM_TAG,
	    r->share == VM_SHARE_VIRTIOFS ? "virtiofs" : "9p");
	argv[n++] = qemu;
	argv[n++] = "-machine";
	argv[n++] = "q35";
	argv[n++] = "-accel";
	argv[n++] = accel;
	argv[n++] = "-m";
	argv[n++] = mem;
	argv[n++] = "-smp";
	argv[n++] = cpus;
	argv[n++] = "-kernel";
	argv[n++] = r->kernel;
	argv[n++] = "-initrd";
	argv[n++] = r->initrd;
	argv[n++] = "-append";
	argv[n++] = append;
	if (r->share == VM_SHARE_VIRTIOFS) {
		/* vhost-user needs the guest's memory shared with
		 * virtiofsd: a memfd backend as the one NUMA node. */
		snprintf(memobj, sizeof (memobj), "memory-backend-memfd,"
		    "id=mem,size=%dM,share=on", o->mem_mb);
		qemu_escape(root, sizeof (root), r->sock);
		snprintf(chardev, sizeof (chardev), "socket,id=vfs,path=%s",
		    root);
		snprintf(virtfs, sizeof (virtfs), "vhost-user-fs-pci,"
		    "chardev=vfs,tag=%s", VM_TAG);
		argv[n++] = "-object";
		argv[n++] = memobj;
		argv[n++] = "-numa";
		argv[n++] = "node,memdev=mem";
		argv[n++] = "-chardev";
		argv[n++] = chardev;
		argv[n++] = "-device";
		argv[n++] = virtfs;
	} else {
		argv[n++] = "-virtfs";
		argv[n++] = virtfs;
	}
	argv[n++] = "-nic";
	argv[n++] = o->net ? "user,model=virtio-net-pci" : "none";
	argv[n++] = "-no-reboot";
	if (o->check) {
		argv[n++] = "-display";
		argv[n++] = "none";
		argv[n++] = "-monitor";
		argv[n++] = "none";
		argv[n++] = "-serial";
		argv[n++] = "stdio";
	} else {
		argv[n++] = "-nographic";	/* serial and monitor on stdio */
	}
	argv[n] = NULL;

	posix_spawn_file_actions_init(&fa);
	if (outfd >= 0) {
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, outfd, 1);
		posix_spawn_file_actions_adddup2(&fa, outfd, 2);
	}
	/* QEMU gets the default signal handling back that beadm held. */
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, o->stop_signals != NULL ?
	    o->stop_signals : &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&r->pid, qemu, &fa, &attr, (char *const *)argv,
	    environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		vm_err(err, "cannot run %s: %s (install "
		    "qemu-system-x86)", qemu, strerror(rc));
		return (-1);
	}
	return (0);
}

/* QEMU, and before it the virtiofsd it connects to. */
static int
launch(struct run *r, int outfd, char *err)
{
	if (r->share == VM_SHARE_VIRTIOFS &&
	    vm_virtiofsd_start(r->virtiofsd, r->o->root, r->sock, r->vlog,
	    &r->vpid, err) != 0)
		return (-1);
	if (spawn_qemu(r, outfd, err) != 0) {
		vm_virtiofsd_stop(r->vpid);
		r->vpid = -1;
		return (-1);
	}
	return (0);
}

/* After QEMU is gone: virtiofsd (which normally ends with it) too. */
static void
share_done(struct run *r)
{
	vm_virtiofsd_stop(r->vpid);
	r->vpid = -1;
	if (r->sock != NULL)
		(void) unlink(r->sock);
}

/* SIGTERM, then SIGKILL if QEMU takes longer than 5 s; reap it. */
static int
stop_qemu(pid_t pid)
{
	int status = 0, i;

	(void) kill(pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return (status);
		usleep(100000);
	}
	(void) kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return (status);
}

static void
describe_exit(int status, char *buf, size_t sz)
{
	if (WIFEXITED(status))
		snprintf(buf, sz, "status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sz, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, sz, "an unknown status");
}

/* ---- reading the console (check mode) ----------------------------------- */

static void
booted(struct vm_result *res, const char *what)
{
	const char *failed = strstr(what, " failed:");
	size_t n = strcspn(what, " ");

	if (n >= sizeof (res->state))
		n = sizeof (res->state) - 1;
	memcpy(res->state, what, n);
	res->state[n] = '\0';
	if (failed != NULL)
		snprintf(res->failed_units, sizeof (res->failed_units), "%s",
		    failed + strlen(" failed: "));
	if (strcmp(res->state, "running") == 0 ||
	    strcmp(res->state, "degraded") == 0) {
		res->verdict = VM_PASS;
	} else {
		res->verdict = VM_FAIL;
		snprintf(res->reason, sizeof (res->reason), "the system came "
		    "up in state '%s'", res->state);
	}
}

/* One whole console line: remember it, and decide if it says how the
 * boot ended. */
static void
console_line(struct console *c, struct vm_result *res)
{
	const char *m;

	while (c->len > 0 && (c->line[c->len - 1] == '\r' ||
	    c->line[c->len - 1] == '\n'))
		c->len--;
	c->line[c->len] = '\0';
	memcpy(c->tail[c->ntail++ % TAIL_LINES], c->line, c->len + 1);
	if (strstr(c->line, "Linux version") != NULL ||
	    (c->line[0] == '[' && strchr(c->line, ']') != NULL))
		c->kernel_spoke = true;
	if (c->decided)
		return;
	if ((m = strstr(c->line, VM_MARKER "booted ")) != NULL) {
		booted(res, m + strlen(VM_MARKER "booted "));
		c->decided = true;
	} else if ((m = strstr(c->line, VM_MARKER "failed: ")) != NULL) {
		res->verdict = VM_FAIL;
		snprintf(res->reason, sizeof (res->reason), "the initramfs "
		    "failed: %s", m + strlen(VM_MARKER "failed: "));
		c->decided = true;
	} else if ((m = strstr(c->line, "Kernel panic")) != NULL) {
		res->verdict = VM_FAIL;
		snprintf(res->reason, sizeof (res->reason), "%s", m);
		c->decided = true;
	}
}

static void
console_bytes(struct console *c, struct vm_result *res, const char *buf,
    size_t n)
{
	size_t i;

	if (c->log != NULL)
		fwrite(buf, 1, n, c->log);
	for (i = 0; i < n; i++) {
		/* Keep the text, drop systemd's colours and cursor moves. */
		if (c->esc == 1) {
			c->esc = buf[i] == '[' ? 2 : 0;
		} else if (c->esc == 2) {
			if (buf[i] >= 0x40 && buf[i] <= 0x7e)
				c->esc = 0;
		} else if (buf[i] == '\033') {
			c->esc = 1;
		} else if (buf[i] == '\n') {
			console_line(c, res);
			c->len = 0;
		} else if (((unsigned char)buf[i] >= 0x20 || buf[i] == '\t') &&
		    c->len + 1 < sizeof (c->line)) {
			c->line[c->len++] = buf[i];
		}
	}
	/* A reply is a whole line, but a prompt may never end one. */
	if (c->len > 0 && strstr(c->line, VM_MARKER) == NULL &&
	    c->len + 1 >= sizeof (c->line)) {
		console_line(c, res);
		c->len = 0;
	}
}

/* The last whole lines and the unfinished one, each ended by a newline. */
static char *
join_tail(const struct console *c)
{
	size_t first = c->ntail > TAIL_LINES ? c->ntail - TAIL_LINES : 0;
	/* Lines hold at most LINE_MAX_LEN - 1 bytes: with its newline, each
	 * takes LINE_MAX_LEN; the unfinished line is one more. */
	size_t sz = (TAIL_LINES + 1) * LINE_MAX_LEN + 1;
	size_t i, len = 0;
	char *s = malloc(sz);

	if (s == NULL)
		return (NULL);
	s[0] = '\0';
	for (i = first; i < c->ntail && len < sz; i++)
		len += (size_t)snprintf(s + len, sz - len, "%s\n",
		    c->tail[i % TAIL_LINES]);
	if (c->len > 0 && len < sz)
		(void) snprintf(s + len, sz - len, "%.*s\n", (int)c->len,
		    c->line);
	return (s);
}

enum watch_end { W_DECIDED, W_EXITED, W_TIMEOUT, W_SIGNAL, W_SILENT };

/* Read QEMU's console until something decides the boot. */
static enum watch_end
watch(struct run *r, int fd, int sigfd, struct console *c,
    struct vm_result *res, double start, int *status, int *signo)
{
	double deadline = start + r->o->timeout;
	bool watch_silence = strcmp(r->accel, "kvm") == 0 &&
	    r->o->accel == VM_ACCEL_AUTO;
	struct pollfd p[2];
	char buf[4096];
	ssize_t n;
	double t;

	for (;;) {
		if (c->decided)
			return (W_DECIDED);
		t = now();
		if (t >= deadline)
			return (W_TIMEOUT);
		if (watch_silence && !c->kernel_spoke &&
		    t - start >= KVM_SILENCE_S)
			return (W_SILENT);
		p[0].fd = fd;
		p[0].events = POLLIN;
		p[1].fd = sigfd;
		p[1].events = POLLIN;
		if (poll(p, sigfd >= 0 ? 2 : 1, 500) < 0 && errno != EINTR)
			return (W_EXITED);
		if (sigfd >= 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof (si)) == sizeof (si))
				*signo = (int)si.ssi_signo;
			return (W_SIGNAL);
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(fd, buf, sizeof (buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (c->len > 0) {	/* a last line without '\n' */
				console_line(c, res);
				c->len = 0;
			}
			while (waitpid(r->pid, status, 0) < 0 && errno == EINTR)
				;
			r->pid = -1;
			return (c->decided ? W_DECIDED : W_EXITED);
		}
		console_bytes(c, res, buf, (size_t)n);
	}
}

static int
check_once(struct run *r, int sigfd, struct console *c,
    struct vm_result *res, enum watch_end *end, char *err)
{
	int pfd[2], status = 0;
	double start;
	char how[64];

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		vm_err(err, "cannot make a pipe: %s",
		    strerror(errno));
		return (-1);
	}
	start = now();
	if (launch(r, pfd[1], err) != 0) {
		close(pfd[0]);
		close(pfd[1]);
		return (-1);
	}
	close(pfd[1]);
	*end = watch(r, pfd[0], sigfd, c, res, start, &status, &res->signal);
	res->seconds = now() - start;
	if (r->pid > 0)
		status = stop_qemu(r->pid);
	share_done(r);
	close(pfd[0]);
	snprintf(res->accel, sizeof (res->accel), "%s", r->accel);
	switch (*end) {
	case W_DECIDED:
		break;
	case W_EXITED:
		res->verdict = VM_FAIL;
		describe_exit(status, how, sizeof (how));
		snprintf(res->reason, sizeof (res->reason), "QEMU exited with "
		    "%s before the system finished booting", how);
		break;
	case W_TIMEOUT:
		res->verdict = VM_FAIL;
		snprintf(res->reason, sizeof (res->reason), "no report from "
		    "the guest within %d s", r->o->timeout);
		break;
	case W_SIGNAL:
		res->verdict = VM_FAIL;
		snprintf(res->reason, sizeof (res->reason), "interrupted");
		break;
	case W_SILENT:
		break;
	}
	return (0);
}

static int
run_check(struct run *r, struct vm_result *res, const char *logpath,
    char *err)
{
	struct console c = { .len = 0 };
	enum watch_end end;
	int sigfd = -1, rc;

	if ((c.log = fopen(logpath, "we")) == NULL) {
		vm_err(err, "cannot create %s: %s", logpath,
		    strerror(errno));
		return (-1);
	}
	if (r->o->stop_signals != NULL)
		sigfd = signalfd(-1, r->o->stop_signals, SFD_CLOEXEC);
	rc = check_once(r, sigfd, &c, res, &end, err);
	if (rc == 0 && end == W_SILENT) {
		note(r->o, "no output from the kernel under KVM within %s s; "
		    "trying again with TCG emulation", "15");
		fprintf(c.log, "\n--- beadm: KVM guest silent, retrying "
		    "with TCG ---\n");
		r->accel = "tcg";
		c.ntail = 0;
		c.len = 0;
		rc = check_once(r, sigfd, &c, res, &end, err);
	}
	if (sigfd >= 0)
		close(sigfd);
	fclose(c.log);
	if (rc == 0 && res->verdict == VM_FAIL)
		res->tail = join_tail(&c);
	return (rc);
}

/* ---- interactive -------------------------------------------------------- */

static int
run_interactive(struct run *r, struct vm_result *res, char *err)
{
	struct timespec second = { 1, 0 };
	int status = 0, sig;
	char how[64];

	if (launch(r, -1, err) != 0)
		return (-1);
	snprintf(res->accel, sizeof (res->accel), "%s", r->accel);
	for (;;) {
		if (waitpid(r->pid, &status, WNOHANG) == r->pid)
			break;
		if (r->o->stop_signals == NULL) {
			nanosleep(&second, NULL);
			continue;
		}
		sig = sigtimedwait(r->o->stop_signals, NULL, &second);
		/* Ctrl-C belongs to the guest; QEMU has the terminal. */
		if (sig > 0 && sig != SIGINT) {
			(void) stop_qemu(r->pid);
			share_done(r);
			res->signal = sig;
			res->verdict = VM_FAIL;
			snprintf(res->reason, sizeof (res->reason),
			    "interrupted");
			return (0);
		}
	}
	share_done(r);
	res->verdict = VM_PASS;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		res->verdict = VM_FAIL;
		describe_exit(status, how, sizeof (how));
		snprintf(res->reason, sizeof (res->reason), "QEMU exited with "
		    "%s", how);
	}
	return (0);
}

/* ---- the whole boot ----------------------------------------------------- */

/*
 * virtiofs or 9p, as asked; auto takes virtiofs where it can (a virtiofsd
 * and the kernel's virtiofs module are there) and says why when not.
 */
static int
choose_share(struct run *r, const char *kver, char *virtiofsd, size_t sz,
    char *err)
{
	char why[VM_ERR_MAX];

	if (r->o->share == VM_SHARE_9P) {
		r->share = VM_SHARE_9P;
		note(r->o, "root shared over %s", "9p");
		return (0);
	}
	if (vm_find_virtiofsd(virtiofsd, sz, why) != 0 ||
	    vm_check_modules(r->o->root, kver, VM_SHARE_VIRTIOFS, why) != 0) {
		if (r->o->share == VM_SHARE_VIRTIOFS) {
			vm_err(err, "cannot share the root over virtiofs: %s",
			    why);
			return (-1);
		}
		r->share = VM_SHARE_9P;
		note(r->o, "root shared over 9p (not virtiofs: %s)", why);
		return (0);
	}
	r->share = VM_SHARE_VIRTIOFS;
	r->virtiofsd = virtiofsd;
	note(r->o, "root shared over virtiofs (%s)", virtiofsd);
	return (0);
}

int
vm_boot(const struct vm_opts *o, struct vm_result *res, char *err)
{
	char kver[256], kernel[PATH_MAX], init[PATH_MAX], dir[] =
	    "/tmp/beadm-vmrun.XXXXXX", initrd[64], logpath[64], sock[64],
	    vlog[64], virtiofsd[PATH_MAX];
	struct run r = { .o = o, .pid = -1, .vpid = -1 };
	int fd, rc;

	memset(res, 0, sizeof (*res));
	res->verdict = VM_FAIL;
	if (vm_find_kernel(o->root, o->kernel, kver, sizeof (kver), kernel,
	    sizeof (kernel), err) != 0)
		return (-1);
	if (choose_share(&r, kver, virtiofsd, sizeof (virtiofsd), err) != 0)
		return (-1);
	find_init(init, sizeof (init));
	if (mkdtemp(dir) == NULL) {
		vm_err(err, "cannot create a directory like "
		    "/tmp/beadm-vmrun.XXXXXX: %s", strerror(errno));
		return (-1);
	}
	snprintf(initrd, sizeof (initrd), "%s/initrd.cpio", dir);
	snprintf(logpath, sizeof (logpath), "%s/console.log", dir);
	snprintf(sock, sizeof (sock), "%s/virtiofs.sock", dir);
	snprintf(vlog, sizeof (vlog), "%s/virtiofsd.log", dir);
	if (r.share == VM_SHARE_VIRTIOFS) {
		r.sock = sock;
		r.vlog = vlog;
	}
	fd = open(initrd, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		vm_err(err, "cannot create %s: %s", initrd,
		    strerror(errno));
		(void) rmdir(dir);
		return (-1);
	}
	rc = vm_write_initramfs(fd, o->root, kver, r.share, init, err);
	if (close(fd) != 0 && rc == 0) {
		vm_err(err, "cannot write %s: %s", initrd,
		    strerror(errno));
		rc = -1;
	}
	r.kernel = kernel;
	r.initrd = initrd;
	if (o->accel == VM_ACCEL_KVM)
		r.accel = "kvm";
	else if (o->accel == VM_ACCEL_TCG)
		r.accel = "tcg";
	else
		r.accel = kvm_usable() ? "kvm" : "tcg";
	if (rc == 0) {
		note(o, "booting kernel %s", kver);
		note(o, "accelerator: %s", strcmp(r.accel, "kvm") == 0 ?
		    "KVM" : "TCG (emulation, slow)");
		rc = o->check ? run_check(&r, res, logpath, err) :
		    run_interactive(&r, res, err);
	}
	(void) unlink(initrd);
	(void) unlink(sock);
	(void) unlink(vlog);
	snprintf(res->share, sizeof (res->share), "%s",
	    r.share == VM_SHARE_VIRTIOFS ? "virtiofs" : "9p");
	/* The console log stays only where a failure points at it. */
	if (rc == 0 && o->check && res->verdict == VM_FAIL) {
		snprintf(res->log, sizeof (res->log), "%s", logpath);
	} else {
		(void) unlink(logpath);
		(void) rmdir(dir);
	}
	return (rc);
}

void
vm_result_free(struct vm_result *res)
{
	free(res->tail);
	res->tail = NULL;
}
