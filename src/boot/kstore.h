/*
 * kstore.h - the content-addressed store of kernels and initrds on an ESP.
 *
 * A file is stored once per ESP as beadm/store/<sha256 of its content, 64
 * lower-case hex digits>, however many boot entries use it.  Its reference
 * count is the number of beadm entries (loader/entries/beadm-* and
 * beadm~*) whose linux or initrd line names /beadm/store/<hash>: counted
 * from the entries, never kept apart from them, so it cannot drift.
 */
#ifndef KSTORE_H
#define KSTORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define KSTORE_DIR	"beadm/store"
#define KSTORE_HASH_LEN	64

/* SHA-256 of the file at path, as hex; also its size.  0 or errno. */
int kstore_hash_file(const char *path, char hex[KSTORE_HASH_LEN + 1],
    uint64_t *size);
/* "/beadm/store/<hex>", the path an entry's linux/initrd line uses. */
void kstore_entry_path(const char *hex, char *buf, size_t sz);
/* Is beadm/store/<hex> on the ESP at root? */
bool kstore_has(const char *root, const char *hex);
/* Copy src to beadm/store/<hex> unless it is there (crash-safe). */
int kstore_put(const char *root, const char *hex, const char *src);

struct kstore_ref {
	char hash[KSTORE_HASH_LEN + 1];
	unsigned refs;		/* entries that name it; 0 for an orphan */
};
/* Every file in the store with its reference count, sorted by hash. */
int kstore_refs(const char *root, struct kstore_ref **refs, size_t *n);
/* Delete store files no entry names, and leftover temporary files in the
 * store.  *freed (may be NULL) gets the number of files deleted. */
int kstore_gc(const char *root, size_t *freed);

#endif /* KSTORE_H */
