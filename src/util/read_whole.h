/*
 * read_whole.h - a file read to its end into memory, for the text files
 * beadm parses whole (the mount table, a BE's modules.dep).
 */
#ifndef READ_WHOLE_H
#define	READ_WHOLE_H

#include <stddef.h>

/*
 * Read fd to its end (its size is not trusted: the kernel's tables have
 * none) into a malloc'd buffer, NUL-terminated, *len bytes before the NUL.
 * More than max bytes is EFBIG.  0, or an errno; fd stays open.
 */
int read_whole_fd(int fd, size_t max, char **out, size_t *len);

#endif /* READ_WHOLE_H */
