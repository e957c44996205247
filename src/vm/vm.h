/*
 * vm.h - booting a root file system tree under QEMU (beadm vm).
 *
 * Nothing here knows about ZFS: the caller hands over a directory that holds
 * a whole root (a mounted clone of a BE, or --root-dir), and this part finds
 * its kernel, builds an initramfs for a 9p root, runs QEMU and, in check
 * mode, watches the serial console for the line the guest prints when it
 * reached its default target.  Functions return 0 or -1 with a message in
 * the caller's buffer; nothing here prints except through the note callback.
 */
#ifndef BEADM_VM_H
#define BEADM_VM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define VM_ERR_MAX	1024
#define VM_TAG		"beadmroot"	/* the 9p mount tag of the root */
#define VM_MARKER	"beadm-vm: "	/* what the guest's reports start with */

enum vm_accel { VM_ACCEL_AUTO, VM_ACCEL_KVM, VM_ACCEL_TCG };

struct vm_opts {
	const char *root;	/* the directory to boot */
	const char *kernel;	/* KVER, or NULL: the newest in root/boot */
	bool check;		/* headless, watch for the marker */
	int timeout;		/* seconds, check mode */
	int mem_mb;
	int cpus;
	bool net;
	enum vm_accel accel;
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
/* Write the initramfs for kernel kver of root to fd. */
int vm_write_initramfs(int fd, const char *root, const char *kver,
    const char *init_path, char *err);
/* Boot: build everything in a private temporary directory, run QEMU.
 * Returns -1 (err) when it could not even start; otherwise 0 with the
 * outcome in res (interactive mode: always VM_PASS unless QEMU failed). */
int vm_boot(const struct vm_opts *, struct vm_result *res, char *err);
void vm_result_free(struct vm_result *);

/* Write a message into an error buffer of VM_ERR_MAX bytes. */
void vm_err(char *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* BEADM_VM_H */
