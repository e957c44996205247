/*
 * esp_uuids.c - reading Proxmox VE's list of ESP UUIDs (esp_uuids.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "esp_uuids.h"

bool
esp_uuid_ok(const char *u)
{
	size_t n = strlen(u);

	if (n < 4 || n > ESP_UUID_MAX)
		return (false);
	for (; *u != '\0'; u++)
		if (!isxdigit((unsigned char)*u) && *u != '-')
			return (false);
	return (true);
}

static bool
blank(char c)
{
	return (c == ' ' || c == '\t' || c == '\r');
}

int
esp_uuids_next(const char **p, char *buf, size_t sz)
{
	const char *line, *end;
	size_t len;

	for (;;) {
		line = *p;
		if (*line == '\0')
			return (0);
		end = line + strcspn(line, "\n");
		*p = *end == '\n' ? end + 1 : end;
		len = (size_t)(end - line);
		while (len > 0 && blank(line[len - 1]))
			len--;
		if (len == 0 || line[0] == '#')
			continue;
		if (len < sz) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			if (esp_uuid_ok(buf))
				return (1);
		} else {
			snprintf(buf, sz, "%.*s...", (int)(sz - 4), line);
		}
		return (-1);
	}
}
