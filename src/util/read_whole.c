/*
 * read_whole.c - a file read to its end into memory (read_whole.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "read_whole.h"

int
read_whole_fd(int fd, size_t max, char **out, size_t *len)
{
	size_t n = 0, cap = 0;
	char *buf = NULL, *grown;
	ssize_t got;

	for (;;) {
		if (cap - n < 4096) {
			cap = cap != 0 ? cap * 2 : 16384;
			if ((grown = realloc(buf, cap)) == NULL) {
				free(buf);
				return (ENOMEM);
			}
			buf = grown;
		}
		if ((got = read(fd, buf + n, cap - n - 1)) < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return (errno);
		}
		if (got == 0)
			break;
		if ((n += (size_t)got) > max) {
			free(buf);
			return (EFBIG);
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return (0);
}
