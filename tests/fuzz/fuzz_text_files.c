/*
 * fuzz_text_files.c - the text files of the running system or of a BE
 * that beadm reads: apt's sources (one-line and deb822), dpkg's status,
 * os-release.  Properties: nothing crashes; dpkg's status comes out sorted
 * by package name with every field set; a mirror, when found, is one of
 * the input's words.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apt_sources.h"
#include "be_platform.h"
#include "dpkg_status.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apt_mirror m;
	struct dpkg_status st;
	struct be_os_release os;
	FILE *f;
	size_t i;
	int kind;

	if (size == 0)
		return (0);
	/* The first byte picks the parser; the rest is the file. */
	kind = data[0] % 4;
	if ((f = fmemopen((void *)(data + 1), size - 1, "r")) == NULL &&
	    size > 1)
		return (0);
	if (f == NULL)
		f = fmemopen((void *)"", 1, "r");
	if (f == NULL)
		return (0);
	switch (kind) {
	case 0:
	case 1:
		apt_mirror_init(&m, "trixie");
		if ((kind == 0 ? apt_mirror_scan_list(&m, f) :
		    apt_mirror_scan_deb822(&m, f)) == 0 && m.uri[0] != '\0')
			FUZZ_ASSERT(memmem(data + 1, size - 1, m.uri,
			    strlen(m.uri)) != NULL ||
			    /* (a trailing '/' may be added or dropped) */
			    memmem(data + 1, size - 1, m.uri,
			    strlen(m.uri) - 1) != NULL);
		break;
	case 2:
		if (dpkg_status_read(f, &st) == 0) {
			for (i = 0; i < st.n; i++) {
				FUZZ_ASSERT(st.v[i].name != NULL &&
				    st.v[i].version != NULL);
				if (i > 0)
					FUZZ_ASSERT(strcmp(st.v[i - 1].name,
					    st.v[i].name) <= 0);
			}
			dpkg_status_free(&st);
		}
		break;
	case 3:
		(void) be_os_release_parse(f, &os);
		FUZZ_ASSERT(memchr(os.id, '\0', sizeof (os.id)) != NULL);
		(void) be_support_debian(&os);
		break;
	}
	fclose(f);
	return (0);
}
