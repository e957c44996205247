/*
 * fuzz_esp_uuids.c - Proxmox VE's list of ESP UUIDs
 * (/etc/kernel/proxmox-boot-uuids, esp_uuids.c), as anyone with root, a
 * restored backup or another tool may have left it.  Properties: reading
 * ends, each line at most once; every UUID read is one blkid could print
 * and is a whole line of the list (trailing blanks aside), never a piece
 * of a longer one; a bad line is reported, within the buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp_uuids.h"
#include "fuzz.h"

/* Is uuid a line of text, but for blanks after it? */
static bool
a_line_of(const char *text, const char *uuid)
{
	size_t n = strlen(uuid);
	const char *p, *q;

	for (p = text; (p = strstr(p, uuid)) != NULL; p++) {
		if (p != text && p[-1] != '\n')
			continue;
		for (q = p + n; *q == ' ' || *q == '\t' || *q == '\r'; q++)
			;
		if (*q == '\0' || *q == '\n')
			return (true);
	}
	return (false);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), buf[ESP_UUID_MAX + 1];
	const char *p;
	size_t lines = 1, steps = 0;
	int rc;

	if (text == NULL)
		return (0);
	for (p = text; *p != '\0'; p++)
		lines += *p == '\n';
	p = text;
	while ((rc = esp_uuids_next(&p, buf, sizeof (buf))) != 0) {
		FUZZ_ASSERT(++steps <= lines);
		FUZZ_ASSERT(strlen(buf) <= ESP_UUID_MAX);
		if (rc < 0)
			continue;
		FUZZ_ASSERT(esp_uuid_ok(buf));
		FUZZ_ASSERT(a_line_of(text, buf));
	}
	FUZZ_ASSERT(*p == '\0');
	free(text);
	return (0);
}
