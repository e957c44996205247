/*
 * esp_io.h - crash-safe file operations below an ESP mount point.
 *
 * An ESP is FAT: no hard links, no atomic exchange, and firmware reads it
 * at any time after a crash.  Every write therefore goes to
 * "<name>.beadm-tmp", is fsynced, renamed over <name>, and the directory is
 * fsynced; every deletion is followed by an fsync of its directory.
 *
 * Paths are relative to root (the ESP's mount point) and use '/'.  Every
 * function returns 0 or an errno value; none prints.
 */
#ifndef ESP_IO_H
#define ESP_IO_H

#include <stdbool.h>
#include <stddef.h>

#define ESP_TMP_SUFFIX	".beadm-tmp"

/* Write len bytes of buf as rel, replacing it if it exists. */
int esp_write(const char *root, const char *rel, const void *buf, size_t len);
/* Copy the file at src (any path) to rel, replacing it if it exists. */
int esp_copy(const char *root, const char *rel, const char *src);
/* Delete rel; a file that is not there is not an error. */
int esp_unlink(const char *root, const char *rel);
/* Create rel and its missing parents (mkdir -p), fsyncing each parent. */
int esp_mkdirs(const char *root, const char *rel);
/* Read rel into a malloc'd, NUL-terminated buffer; *len excludes the NUL. */
int esp_read(const char *root, const char *rel, char **buf, size_t *len);
/* The names in directory rel (no "." or ".."), sorted with strcmp, malloc'd;
 * a directory that does not exist gives *n == 0 and returns 0. */
int esp_list(const char *root, const char *rel, char ***names, size_t *n);
void esp_names_free(char **names, size_t n);
/* Does rel exist (file or directory)?  A yes/no answer, not an errno:
 * an error looking is "no". */
bool esp_exists(const char *root, const char *rel);

/*
 * esp_write, esp_copy, esp_unlink and esp_mkdirs call test_crash_point()
 * (test_seam.h) before each step that changes the ESP: creating the
 * temporary file, the rename, the unlink, each mkdir (an unlink of a
 * missing file or a mkdir of an existing directory changes nothing and is
 * not counted).
 */

#endif /* ESP_IO_H */
