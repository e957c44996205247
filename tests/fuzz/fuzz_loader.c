/*
 * fuzz_loader.c - systemd-boot's files as beadm reads them from an ESP
 * (sdboot_entry.c): loader.conf, entry files, entry file names, and the
 * kernel command line made from a template (beadm:cmdline,
 * /etc/kernel/cmdline, /proc/cmdline).  Properties: nothing crashes; the
 * loader.conf beadm writes is its own and has the default it was given;
 * an entry beadm renders reads back as the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sdboot_entry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), buf[SDB_OPTIONS_MAX], *conf;
	struct sdb_entry e, back;
	struct sdb_name n;
	int len;

	if (text == NULL)
		return (0);
	sdb_loader_default(text, buf, sizeof (buf));
	(void) sdb_loader_is_ours(text);
	(void) sdb_name_parse(text, &n);
	(void) sdb_kver_valid(text);
	(void) sdb_kver_cmp(text, "6.1.0-10-amd64");
	(void) sdb_cmdline(text, "be2", "rpool/ROOT/be2", buf, sizeof (buf));

	/* What beadm writes is its own, with the default it was given. */
	if ((conf = sdb_loader_with_default(text, "beadm-be2@*")) != NULL) {
		FUZZ_ASSERT(sdb_loader_is_ours(conf));
		sdb_loader_default(conf, buf, sizeof (buf));
		FUZZ_ASSERT(strcmp(buf, "beadm-be2@*") == 0);
		free(conf);
	}

	/* What beadm renders reads back as itself: parsed and rendered
	 * again, the same text (render() blanks control characters, so
	 * the first rendering is the fixed point, not the input). */
	sdb_entry_parse(text, &e);
	if ((len = sdb_entry_render(&e, buf, sizeof (buf))) >= 0) {
		char *again;

		sdb_entry_parse(buf, &back);
		if ((again = malloc((size_t)len + 1)) != NULL) {
			FUZZ_ASSERT(sdb_entry_render(&back, again,
			    (size_t)len + 1) == len);
			FUZZ_ASSERT(strcmp(again, buf) == 0);
			free(again);
		}
	}
	free(text);
	return (0);
}
