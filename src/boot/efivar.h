/*
 * efivar.h - systemd-boot's EFI variables through efivarfs.
 *
 * A variable file holds a 4-byte attribute word followed by the data;
 * systemd-boot's strings are UTF-16LE with a terminating NUL.  efivarfs
 * marks variable files immutable, so writing or deleting one clears that
 * flag first (FS_IOC_SETFLAGS).
 */
#ifndef EFIVAR_H
#define EFIVAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EFIVAR_LOADER_GUID	"4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
#define EFIVAR_ATTRS		0x7u	/* non-volatile, boot and runtime */

/* Where efivarfs is: /sys/firmware/efi/efivars, or the directory named by
 * BEADM_TEST_EFIVARS (tests only).  false when it is not mounted there. */
bool efivar_available(char *dir, size_t sz);
/* The loader variable name as an ASCII string, e.g. LoaderEntryOneShot.
 * 0, ENOENT when unset, or another errno. */
int efivar_get_string(const char *name, char *buf, size_t sz);
int efivar_set_string(const char *name, const char *value);
/* Deleting a variable that is not set is not an error. */
int efivar_delete(const char *name);

/* Pure helpers, for the unit tests: encode value (ASCII) as attributes +
 * UTF-16LE + NUL into buf; returns the length or -1 when it does not fit.
 * decode the reverse (non-ASCII code units become '?'); false when the
 * data is malformed (odd length, shorter than the attribute word) or the
 * string does not fit in sz. */
int efivar_encode(const char *value, uint8_t *buf, size_t sz);
bool efivar_decode(const uint8_t *data, size_t len, char *buf, size_t sz);

#endif /* EFIVAR_H */
