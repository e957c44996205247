/*
 * be_error.c - the single path by which libbe reports failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "be_impl.h"

static const char *const messages[BE_ERR__COUNT] = {
	[BE_OK] = "success",
	[BE_ERR_UNKNOWN] = "unknown error",
	[BE_ERR_INVALID] = "invalid argument",
	[BE_ERR_BADNAME] = "invalid name",
	[BE_ERR_NOENT] = "no such boot environment or snapshot",
	[BE_ERR_EXISTS] = "boot environment or snapshot exists",
	[BE_ERR_NOPOOL] = "no pool or boot environment root",
	[BE_ERR_BUSY] = "busy",
	[BE_ERR_PERM] = "permission denied",
	[BE_ERR_REFUSED] = "refused",
	[BE_ERR_ZFS] = "ZFS operation failed",
	[BE_ERR_IO] = "input/output error",
	[BE_ERR_NOMEM] = "out of memory",
	[BE_ERR_NOSPACE] = "not enough space",
	[BE_ERR_BOOT] = "boot loader update failed",
};

const char *
be_strerror(be_error_t err)
{
	if ((unsigned)err >= BE_ERR__COUNT)
		return (messages[BE_ERR_UNKNOWN]);
	return (messages[err]);
}

be_error_t
be_errno(const be_handle_t *h)
{
	return (h->err);
}

const char *
be_errmsg(const be_handle_t *h)
{
	return (h->errmsg[0] != '\0' ? h->errmsg : be_strerror(h->err));
}

be_error_t
be_ok(be_handle_t *h)
{
	h->err = BE_OK;
	h->errmsg[0] = '\0';
	return (BE_OK);
}

be_error_t
be_set_error(be_handle_t *h, be_error_t err, const char *fmt, ...)
{
	va_list ap;

	h->err = err;
	va_start(ap, fmt);
	vsnprintf(h->errmsg, sizeof (h->errmsg), fmt, ap);
	va_end(ap);
	return (err);
}

be_error_t
be_set_zfs_error(be_handle_t *h, const char *fmt, ...)
{
	va_list ap;
	size_t len;
	be_error_t err = BE_ERR_ZFS;

	va_start(ap, fmt);
	vsnprintf(h->errmsg, sizeof (h->errmsg), fmt, ap);
	va_end(ap);
	len = strlen(h->errmsg);
	snprintf(h->errmsg + len, sizeof (h->errmsg) - len, ": %s",
	    libzfs_error_description(h->lzh));
	/* Map the libzfs errors that have a code of their own. */
	switch (libzfs_errno(h->lzh)) {
	case EZFS_NOENT:
		err = BE_ERR_NOENT;
		break;
	case EZFS_EXISTS:
		err = BE_ERR_EXISTS;
		break;
	case EZFS_BUSY:
	case EZFS_UMOUNTFAILED:
		err = BE_ERR_BUSY;
		break;
	case EZFS_PERM:
		err = BE_ERR_PERM;
		break;
	case EZFS_NOSPC:
		err = BE_ERR_NOSPACE;
		break;
	case EZFS_NOMEM:
		err = BE_ERR_NOMEM;
		break;
	default:
		break;
	}
	h->err = err;
	return (err);
}

void
be_error_save(const be_handle_t *h, struct be_saved_error *s)
{
	s->err = h->err;
	snprintf(s->msg, sizeof (s->msg), "%s", h->errmsg);
}

be_error_t
be_error_restore(be_handle_t *h, const struct be_saved_error *s)
{
	h->err = s->err;
	snprintf(h->errmsg, sizeof (h->errmsg), "%s", s->msg);
	return (s->err);
}

void
be_error_append(be_handle_t *h, const char *fmt, ...)
{
	size_t len = strlen(h->errmsg);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->errmsg + len, sizeof (h->errmsg) - len, fmt, ap);
	va_end(ap);
}
