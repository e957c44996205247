/*
 * test_vm.c - what beadm vm decides without QEMU: which kernel of a root
 * it boots (6.1.0-10 is newer than 6.1.0-9), and the initramfs it writes (the
 * modules a 9p or virtiofs root needs, in load order, in a newc archive
 * the kernel can unpack).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_tree.h"

#include "../../src/vm/vm.h"

static char root[] = "/tmp/beadm-test-vm.XXXXXX";

static void
put(const char *rel, const char *text)
{
	char path[4096], *p;
	FILE *f;

	snprintf(path, sizeof (path), "%s/%s", root, rel);
	for (p = strchr(path + strlen(root) + 1, '/'); p != NULL;
	    p = strchr(p + 1, '/')) {
		*p = '\0';
		(void) mkdir(path, 0755);
		*p = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(root) == NULL)
		return (-1);
	put("boot/vmlinuz-6.1.0-9-amd64", "old kernel");
	put("lib/modules/6.1.0-9-amd64/modules.dep", "");
	put("boot/vmlinuz-6.1.0-10-amd64", "new kernel");
	put("lib/modules/6.1.0-10-amd64/modules.builtin",
	    "kernel/drivers/virtio/virtio_pci.ko\n");
	put("lib/modules/6.1.0-10-amd64/modules.dep",
	    "kernel/net/9p/9pnet.ko.zst:\n"
	    "kernel/net/9p/9pnet_virtio.ko.zst: kernel/net/9p/9pnet.ko.zst\n"
	    "kernel/fs/netfs/netfs.ko:\n"
	    "kernel/fs/9p/9p.ko: kernel/fs/netfs/netfs.ko "
	    "kernel/net/9p/9pnet.ko.zst\n"
	    "kernel/fs/fuse/fuse.ko.zst:\n"
	    "kernel/fs/fuse/virtiofs.ko.zst: kernel/fs/fuse/fuse.ko.zst\n");
	put("lib/modules/6.1.0-10-amd64/kernel/fs/fuse/fuse.ko.zst", "fuse");
	put("lib/modules/6.1.0-10-amd64/kernel/fs/fuse/virtiofs.ko.zst",
	    "virtiofs");
	put("lib/modules/6.1.0-10-amd64/kernel/net/9p/9pnet.ko.zst", "9pnet");
	put("lib/modules/6.1.0-10-amd64/kernel/net/9p/9pnet_virtio.ko.zst",
	    "9pnet_virtio");
	put("lib/modules/6.1.0-10-amd64/kernel/fs/netfs/netfs.ko", "netfs");
	put("lib/modules/6.1.0-10-amd64/kernel/fs/9p/9p.ko", "9p");
	/* Newest of all, but without modules: not bootable. */
	put("boot/vmlinuz-6.1.0-11-amd64", "no modules");
	put("init", "the init program");
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	return (unit_rm_tree(root));
}

static void
newest_kernel_with_modules_is_chosen(void **state)
{
	char kver[256], vmlinuz[4096], err[VM_ERR_MAX], want[4096];

	(void)state;
	assert_int_equal(vm_find_kernel(root, NULL, kver, sizeof (kver),
	    vmlinuz, sizeof (vmlinuz), err), 0);
	assert_string_equal(kver, "6.1.0-10-amd64");
	snprintf(want, sizeof (want), "%s/boot/vmlinuz-6.1.0-10-amd64", root);
	assert_string_equal(vmlinuz, want);
	assert_int_equal(vm_find_kernel(root, "6.1.0-9-amd64", kver,
	    sizeof (kver), vmlinuz, sizeof (vmlinuz), err), 0);
	assert_string_equal(kver, "6.1.0-9-amd64");
	assert_int_equal(vm_find_kernel(root, "6.1.0-11-amd64", kver,
	    sizeof (kver), vmlinuz, sizeof (vmlinuz), err), -1);
	assert_non_null(strstr(err, "no kernel 6.1.0-11-amd64"));
}

/* Read a newc archive: the names in order, and one file's contents. */
static void
read_newc(FILE *f, char *names, size_t sz, const char *want, char *data,
    size_t dsz)
{
	char hdr[111], name[4096];
	unsigned long fsize, nsize;
	size_t len = 0;

	names[0] = '\0';
	data[0] = '\0';
	for (;;) {
		assert_int_equal(fread(hdr, 1, 110, f), 110);
		hdr[110] = '\0';
		assert_memory_equal(hdr, "070701", 6);
		sscanf(hdr + 54, "%8lx", &fsize);
		sscanf(hdr + 94, "%8lx", &nsize);
		assert_true(nsize < sizeof (name));
		assert_int_equal(fread(name, 1, nsize, f), nsize);
		fseek(f, (long)((4 - (110 + nsize) % 4) % 4), SEEK_CUR);
		if (strcmp(name, "TRAILER!!!") == 0)
			return;
		len += (size_t)snprintf(names + len, sz - len, "%s\n", name);
		if (strcmp(name, want) == 0) {
			assert_true(fsize < dsz);
			assert_int_equal(fread(data, 1, fsize, f), fsize);
			data[fsize] = '\0';
		} else {
			fseek(f, (long)fsize, SEEK_CUR);
		}
		fseek(f, (long)((4 - fsize % 4) % 4), SEEK_CUR);
	}
}

static void
initramfs_has_init_and_modules_in_load_order(void **state)
{
	char init[4096], err[VM_ERR_MAX], names[8192], data[4096];
	FILE *f = tmpfile();

	(void)state;
	snprintf(init, sizeof (init), "%s/init", root);
	assert_non_null(f);
	assert_int_equal(vm_write_initramfs(fileno(f), root, "6.1.0-10-amd64",
	    VM_SHARE_9P, init, err), 0);
	rewind(f);
	read_newc(f, names, sizeof (names), "beadm-modules", data,
	    sizeof (data));
	/* virtio_pci is built in; 9pnet comes once, before both users. */
	assert_string_equal(data,
	    "/lib/modules/6.1.0-10-amd64/kernel/net/9p/9pnet.ko.zst\n"
	    "/lib/modules/6.1.0-10-amd64/kernel/net/9p/9pnet_virtio.ko.zst\n"
	    "/lib/modules/6.1.0-10-amd64/kernel/fs/netfs/netfs.ko\n"
	    "/lib/modules/6.1.0-10-amd64/kernel/fs/9p/9p.ko\n");
	assert_non_null(strstr(names, "dev\nproc\nsys\nnewroot\ninit\n"));
	assert_non_null(strstr(names,
	    "lib/modules/6.1.0-10-amd64/kernel/fs/9p/9p.ko\n"));
	rewind(f);
	read_newc(f, names, sizeof (names), "init", data, sizeof (data));
	assert_string_equal(data, "the init program");
	fclose(f);
}

static void
missing_module_is_an_error(void **state)
{
	char init[4096], err[VM_ERR_MAX];
	FILE *f = tmpfile();

	(void)state;
	snprintf(init, sizeof (init), "%s/init", root);
	assert_int_equal(vm_write_initramfs(fileno(f), root, "6.1.0-9-amd64",
	    VM_SHARE_9P, init, err), -1);
	assert_non_null(strstr(err, "kernel module virtio_pci is neither in"));
	fclose(f);
}

static void
virtiofs_root_gets_fuse_then_virtiofs(void **state)
{
	char init[4096], err[VM_ERR_MAX], names[8192], data[4096];
	FILE *f = tmpfile();

	(void)state;
	snprintf(init, sizeof (init), "%s/init", root);
	assert_non_null(f);
	assert_int_equal(vm_check_modules(root, "6.1.0-10-amd64",
	    VM_SHARE_VIRTIOFS, err), 0);
	assert_int_equal(vm_write_initramfs(fileno(f), root, "6.1.0-10-amd64",
	    VM_SHARE_VIRTIOFS, init, err), 0);
	rewind(f);
	read_newc(f, names, sizeof (names), "beadm-modules", data,
	    sizeof (data));
	assert_string_equal(data,
	    "/lib/modules/6.1.0-10-amd64/kernel/fs/fuse/fuse.ko.zst\n"
	    "/lib/modules/6.1.0-10-amd64/kernel/fs/fuse/virtiofs.ko.zst\n");
	assert_null(strstr(names, "9p.ko"));
	fclose(f);
}

static void
kernel_without_virtiofs_is_told(void **state)
{
	char err[VM_ERR_MAX];

	(void)state;
	put("lib/modules/6.1.0-9-amd64/modules.builtin",
	    "kernel/drivers/virtio/virtio_pci.ko\n");
	assert_int_equal(vm_check_modules(root, "6.1.0-9-amd64",
	    VM_SHARE_VIRTIOFS, err), -1);
	assert_non_null(strstr(err, "kernel module virtiofs is neither in"));
	assert_non_null(strstr(err, "cannot mount a virtiofs root"));
}

/*
 * The root is a BE: none of its links or modules.dep's paths may make
 * beadm boot or pack a file of the host's.  The "host" file here is one
 * outside the root, whose absolute path the links name.
 */
static void
the_root_cannot_lead_out(void **state)
{
	char host[] = "/tmp/beadm-test-vm-host.XXXXXX", secret[4096];
	char link[4096], init[4096], kver[256], vmlinuz[4096], err[VM_ERR_MAX];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(host));
	snprintf(secret, sizeof (secret), "%s/secret", host);
	assert_non_null(f = fopen(secret, "w"));
	fputs("the host's secret", f);
	fclose(f);
	snprintf(init, sizeof (init), "%s/init", root);

	/* A kernel that is an absolute link to a host file: not a kernel. */
	put("lib/modules/6.1.0-12-amd64/modules.dep", "");
	snprintf(link, sizeof (link), "%s/boot/vmlinuz-6.1.0-12-amd64", root);
	assert_int_equal(symlink(secret, link), 0);
	assert_int_equal(vm_find_kernel(root, "6.1.0-12-amd64", kver,
	    sizeof (kver), vmlinuz, sizeof (vmlinuz), err), -1);

	/* modules.dep naming a path that climbs out of the modules. */
	put("boot/vmlinuz-6.1.0-13-amd64", "kernel");
	put("lib/modules/6.1.0-13-amd64/modules.builtin",
	    "kernel/drivers/virtio/virtio_pci.ko\n");
	put("lib/modules/6.1.0-13-amd64/modules.dep",
	    "kernel/fs/fuse/fuse.ko:\n"
	    "../../../../../../../../tmp/virtiofs.ko: kernel/fs/fuse/fuse.ko\n");
	put("lib/modules/6.1.0-13-amd64/kernel/fs/fuse/fuse.ko", "fuse");
	assert_non_null(f = tmpfile());
	assert_int_equal(vm_write_initramfs(fileno(f), root, "6.1.0-13-amd64",
	    VM_SHARE_VIRTIOFS, init, err), -1);
	assert_non_null(strstr(err, "not a path inside the modules directory"));
	fclose(f);

	/* A module that is an absolute link to a host file: not packed. */
	put("lib/modules/6.1.0-13-amd64/modules.dep",
	    "kernel/fs/fuse/fuse.ko:\n"
	    "kernel/fs/fuse/virtiofs.ko: kernel/fs/fuse/fuse.ko\n");
	snprintf(link, sizeof (link),
	    "%s/lib/modules/6.1.0-13-amd64/kernel/fs/fuse/virtiofs.ko", root);
	assert_int_equal(symlink(secret, link), 0);
	assert_non_null(f = tmpfile());
	assert_int_equal(vm_write_initramfs(fileno(f), root, "6.1.0-13-amd64",
	    VM_SHARE_VIRTIOFS, init, err), -1);
	assert_non_null(strstr(err, "virtiofs.ko"));
	fclose(f);

	assert_int_equal(unlink(secret), 0);
	assert_int_equal(rmdir(host), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(newest_kernel_with_modules_is_chosen),
		cmocka_unit_test(initramfs_has_init_and_modules_in_load_order),
		cmocka_unit_test(missing_module_is_an_error),
		cmocka_unit_test(virtiofs_root_gets_fuse_then_virtiofs),
		cmocka_unit_test(kernel_without_virtiofs_is_told),
		cmocka_unit_test(the_root_cannot_lead_out),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
