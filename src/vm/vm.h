/*
 * vm.h - booting a root file system tree under QEMU (beadm vm).
 *
 * Nothing here knows about ZFS: the caller hands over a directory that holds
 * a whole root (a mounted clone of a BE, or --root-dir), and this part finds
 * its kernel, builds an initramfs for a virtiofs or 9p root, runs QEMU
 * (and virtiofsd) and, in check
 * mode, watches the serial console for the line the guest prints when it
 * reached its default target.  Functions return 0 or -1 with a message in
 * the caller's buffer; nothing here prints except through the note callback.
 */
#ifndef BEADM_VM_H
#define BEADM_VM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define VM_ERR_MAX	1024
#define VM_TAG		"beadmroot"	/* the mount tag of the root share */
#define VM_MARKER	"beadm-vm: "	/* what the guest's reports start with */

enum vm_accel { VM_ACCEL_AUTO, VM_ACCEL_KVM, VM_ACCEL_TCG };
/* How the root reaches the guest; auto: virtiofs when a virtiofsd and the
 * kernel's virtiofs module are there, else 9p. */
enum vm_share { VM_SHARE_AUTO, VM_SHARE_9P, VM_SHARE_VIRTIOFS };

struct vm_opts {
	const char *root;	/* the directory to boot */
	const char *kernel;	/* KVER, or NULL: the newest in root/boot */
	bool check;		/* headless, watch for the marker */
	int timeout;		/* seconds, check mode */
	int mem_mb;
	int cpus;
	bool net;
	enum vm_accel accel;
	enum vm_share share;
	/* Told about choices the user should see (accelerator, fallback). */
	void (*note)(const char *msg, void *arg);
	void *note_arg;
	/* Signals that end the boot (check: kill QEMU; interactive: also). */
	const sigset_t *stop_signals;
};

enum vm_verdict { VM_PASS, VM_FAIL };

struct vm_result {
	enum vm_verdict verdict;
	char accel[8];		/* "kvm" or "tcg": what the last run used */
	char share[16];		/* "virtiofs" or "9p" */
	char state[32];		/* running, degraded (pass) */
	char failed_units[512];
	char reason[VM_ERR_MAX];	/* fail: why */
	char *tail;		/* fail: the last console lines (malloc'd) */
	char log[4096];		/* the full console log, kept on failure */
	double seconds;		/* from QEMU start to the marker */
	int signal;		/* the stop signal that ended it, or 0 */
};

/* The newest kernel in root/boot (in Debian's version order) with modules
 * in root/lib/modules, or the one named; kver and vmlinuz get its version and path. */
int vm_find_kernel(const char *root, const char *want, char *kver,
    size_t ksz, char *vmlinuz, size_t vsz, char *err);
/* 0 when kernel kver of root has (or has built in) the modules a root
 * shared by share (9P or VIRTIOFS) needs; else -1 and why. */
int vm_check_modules(const char *root, const char *kver, enum vm_share share,
    char *err);
/* Write the initramfs for kernel kver of root, shared by share, to fd. */
int vm_write_initramfs(int fd, const char *root, const char *kver,
    enum vm_share share, const char *init_path, char *err);
/* The virtiofsd to use: $BEADM_VIRTIOFSD (a test seam), PATH, /usr/libexec,
 * /usr/lib/qemu; -1 (err) when there is none. */
int vm_find_virtiofsd(char *buf, size_t sz, char *err);
/* Start virtiofsd bin serving dir on socket sock (its output to log) and
 * wait until the socket is there; *pid gets its process. */
int vm_virtiofsd_start(const char *bin, const char *dir, const char *sock,
    const char *log, pid_t *pid, char *err);
/* Stop and reap it (nothing when pid <= 0). */
void vm_virtiofsd_stop(pid_t pid);
/* Boot: build everything in a private temporary directory, run QEMU.
 * Returns -1 (err) when it could not even start; otherwise 0 with the
 * outcome in res (interactive mode: always VM_PASS unless QEMU failed). */
int vm_boot(const struct vm_opts *, struct vm_result *res, char *err);
void vm_result_free(struct vm_result *);

/* Write a message into an error buffer of VM_ERR_MAX bytes. */
void vm_err(char *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* BEADM_VM_H */
