/*
 * vm_init.c - beadm-vm-init, the /init of the initramfs beadm vm builds.
 *
 * A static program, so that the initramfs needs no libraries: it loads the
 * modules listed in /beadm-modules, mounts the share named by beadm.root=
 * on the kernel command line (a virtiofs or 9p one, as beadm.rootfs= says)
 * as the new root, puts a systemd
 * unit on a tmpfs at /run that prints "beadm-vm: booted STATE" on the
 * serial console once the boot's jobs are done (the default target reached
 * or given up on), and hands over to the
 * root's /sbin/init as switch_root does.  Whatever fails is printed as
 * "beadm-vm: failed: REASON" and the machine powers off, so that the host
 * can report the reason instead of waiting for a timeout.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4	/* Linux 6.4 and later */
#endif

#define NEWROOT	"/newroot"
/* Big messages make 9p fast; cache=mmap lets programs map files shared. */
#define P9_OPTS	"trans=virtio,version=9p2000.L,msize=512000,cache=mmap"

static const char ready_unit[] =
    "# Written by beadm vm into this boot's /run only.\n"
    "[Unit]\n"
    "Description=Tell beadm vm how the boot ended\n"
    "\n"
    "[Service]\n"
    "Type=simple\n"
    "ExecStart=/bin/sh /run/beadm-vm-ready\n";

static const char ready_script[] =
    "# Written by beadm vm: report the system's state on the serial line\n"
    "# once the boot's jobs are done (--wait: systemd 240 and later).\n"
    "state=$(systemctl is-system-running --wait 2>/dev/null)\n"
    "while [ -z \"$state\" ] || [ \"$state\" = initializing ] ||\n"
    "    [ \"$state\" = starting ]; do\n"
    "\tsleep 1\n"
    "\tstate=$(systemctl is-system-running 2>/dev/null)\n"
    "done\n"
    "failed=$(systemctl list-units --state=failed --no-legend --plain "
    "2>/dev/null | while read -r unit rest; do printf ' %s' \"$unit\"; "
    "done)\n"
    "echo \"beadm-vm: booted ${state:-unknown}${failed:+ failed:$failed}\" "
    ">/dev/ttyS0\n";

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2),
    noreturn));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	printf("\nbeadm-vm: failed: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void
console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static void
mount_or_fail(const char *src, const char *dir, const char *type,
    unsigned long flags, const char *data)
{
	if (mount(src, dir, type, flags, data) != 0)
		fail("cannot mount %s on %s: %s", type, dir, strerror(errno));
}

/* The value of key (such as "beadm.root=") on the kernel command line;
 * false when it is not there. */
static bool
cmdline_value(const char *key, char *buf, size_t sz)
{
	char line[4096], *p;
	size_t n;
	FILE *f = fopen("/proc/cmdline", "r");

	if (f == NULL || fgets(line, sizeof (line), f) == NULL)
		fail("cannot read /proc/cmdline");
	fclose(f);
	for (p = line; (p = strstr(p, key)) != NULL; p++)
		if (p == line || p[-1] == ' ')
			break;
	if (p == NULL)
		return (false);
	p += strlen(key);
	n = strcspn(p, " \n");
	if (n == 0 || n >= sz)
		fail("bad %s on the kernel command line", key);
	memcpy(buf, p, n);
	buf[n] = '\0';
	return (true);
}

static bool
compressed(const char *path)
{
	size_t len = strlen(path);

	return (len > 3 && strcmp(path + len - 3, ".ko") != 0);
}

static void
load_modules(void)
{
	char path[4096];
	FILE *f = fopen("/beadm-modules", "r");
	int fd, flags;

	if (f == NULL)
		fail("no /beadm-modules in the initramfs");
	while (fgets(path, sizeof (path), f) != NULL) {
		path[strcspn(path, "\n")] = '\0';
		if (path[0] == '\0')
			continue;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			fail("cannot open %s: %s", path, strerror(errno));
		/* The kernel decompresses .ko.xz/.ko.zst itself (6.4+). */
		flags = compressed(path) ? MODULE_INIT_COMPRESSED_FILE : 0;
		if (syscall(SYS_finit_module, fd, "", flags) != 0 &&
		    errno != EEXIST)
			fail("cannot load module %s: %s%s", path,
			    strerror(errno), flags != 0 ? " (a compressed "
			    "module needs Linux 6.4 or later)" : "");
		close(fd);
	}
	fclose(f);
}

/* The virtio device may still be probing when the module has loaded. */
static void
mount_root(const char *fs, const char *tag)
{
	bool virtiofs = strcmp(fs, "virtiofs") == 0;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		if (mount(tag, NEWROOT, fs, 0, virtiofs ? NULL : P9_OPTS) == 0)
			return;
		/* virtiofs says EINVAL for a tag it does not know yet. */
		if (errno != ENOENT && errno != ENODEV &&
		    !(virtiofs && errno == EINVAL))
			break;
		usleep(100000);
	}
	fail("cannot mount the %s share %s as the root: %s", fs, tag,
	    strerror(errno));
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd) != 0)
		fail("cannot write %s: %s", path, strerror(errno));
}

static void
mkdir_or_fail(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		fail("cannot create %s: %s", path, strerror(errno));
}

/*
 * systemd keeps a /run that is mounted already, with these in it.  The
 * unit is wanted by multi-user.target and not ordered after the default
 * target: a target orders itself after what it wants, so that would be a
 * cycle, which systemd breaks by dropping the unit.  The script waits.
 */
static void
ready_unit_in_run(void)
{
	struct stat st;

	if (stat(NEWROOT "/run", &st) != 0 || !S_ISDIR(st.st_mode))
		fail("the root has no /run directory");
	mount_or_fail("tmpfs", NEWROOT "/run", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=0755");
	mkdir_or_fail(NEWROOT "/run/systemd");
	mkdir_or_fail(NEWROOT "/run/systemd/system");
	mkdir_or_fail(NEWROOT "/run/systemd/system/multi-user.target.wants");
	write_file(NEWROOT "/run/beadm-vm-ready", ready_script, 0755);
	write_file(NEWROOT "/run/systemd/system/beadm-vm-ready.service",
	    ready_unit, 0644);
	if (symlink("../beadm-vm-ready.service", NEWROOT "/run/systemd/system/"
	    "multi-user.target.wants/beadm-vm-ready.service") != 0)
		fail("cannot enable the ready unit: %s", strerror(errno));
}

static void
move_to_root(const char *from, const char *to)
{
	struct stat st;

	if (stat(to, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (mount(from, to, NULL, MS_MOVE, NULL) != 0)
			fail("cannot move %s to %s: %s", from, to,
			    strerror(errno));
	} else {
		(void) umount2(from, MNT_DETACH);
	}
}

/* Free the initramfs's memory, staying on its file system (as
 * switch_root does). */
static void
delete_tree(int dirfd, dev_t dev)
{
	struct dirent *de;
	struct stat st;
	DIR *d = fdopendir(dirfd);
	int fd;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    st.st_dev != dev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY);
			if (fd >= 0)
				delete_tree(fd, dev);
			(void) unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
		} else {
			(void) unlinkat(dirfd, de->d_name, 0);
		}
	}
	closedir(d);
}

static void
switch_root(void)
{
	struct stat st;
	int fd;

	move_to_root("/dev", NEWROOT "/dev");
	move_to_root("/proc", NEWROOT "/proc");
	move_to_root("/sys", NEWROOT "/sys");
	if (chdir(NEWROOT) != 0)
		fail("cannot enter the new root: %s", strerror(errno));
	if (stat("/", &st) == 0 && (fd = open("/", O_RDONLY |
	    O_DIRECTORY)) >= 0)
		delete_tree(fd, st.st_dev);
	if (mount(".", "/", NULL, MS_MOVE, NULL) != 0)
		fail("cannot move the new root to /: %s", strerror(errno));
	if (chroot(".") != 0 || chdir("/") != 0)
		fail("cannot enter the new root: %s", strerror(errno));
}

int
main(void)
{
	static char *const argv[] = { "/sbin/init", NULL };
	char tag[256], fs[16];

	(void) mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	console();
	mount_or_fail("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    NULL);
	mount_or_fail("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, NULL);
	if (!cmdline_value("beadm.root=", tag, sizeof (tag)))
		fail("no beadm.root= on the kernel command line");
	/* Without beadm.rootfs=: 9p, what older beadm versions booted. */
	if (!cmdline_value("beadm.rootfs=", fs, sizeof (fs)))
		snprintf(fs, sizeof (fs), "9p");
	if (strcmp(fs, "9p") != 0 && strcmp(fs, "virtiofs") != 0)
		fail("beadm.rootfs=%s is neither 9p nor virtiofs", fs);
	load_modules();
	mount_root(fs, tag);
	ready_unit_in_run();
	switch_root();
	if (access("/sbin/init", X_OK) != 0)
		fail("the root has no /sbin/init: %s", strerror(errno));
	printf("beadm-vm: starting /sbin/init\n");
	execv(argv[0], argv);
	fail("cannot run /sbin/init: %s", strerror(errno));
}
