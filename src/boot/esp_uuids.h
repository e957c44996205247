/*
 * esp_uuids.h - /etc/kernel/proxmox-boot-uuids, the ESPs Proxmox VE keeps
 * in sync, read as proxmox-boot-tool reads it: one file-system UUID per
 * line (its loop_esp_list takes each whole line and skips empty ones).
 * beadm also skips '#' comments and trailing blanks; any other text on a
 * line makes the list invalid rather than be cut off.  Pure text handling.
 */
#ifndef ESP_UUIDS_H
#define	ESP_UUIDS_H

#include <stdbool.h>
#include <stddef.h>

#define	ESP_UUID_MAX	36	/* "XXXX-XXXX" for FAT, longer for others */

/* A UUID as blkid prints it: hex digits and '-', 4 to 36 of them. */
bool esp_uuid_ok(const char *);

/*
 * The next UUID of the list at *p, into buf (at least ESP_UUID_MAX + 1
 * bytes), and *p past its line: 1.  0 at the end of the list.  -1 when a
 * line is not a UUID: buf then holds its start for the message, ending in
 * "..." when it was longer than buf.
 */
int esp_uuids_next(const char **p, char *buf, size_t sz);

#endif /* ESP_UUIDS_H */
