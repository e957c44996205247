/*
 * fuzz_versions.c - versions and version lists from a BE: dpkg's version
 * order (kernel versions, package versions), the kernel lists beadm keeps
 * in properties (beadm:kernel-add, -omit, -keep), EFI variables' UTF-16.
 * Properties: the order is antisymmetric and reflexive; a version added to
 * a list is in it, and gone once removed; an EFI string decodes back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dpkg_version.h"
#include "efivar.h"
#include "fuzz.h"
#include "kernel_select.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *a, *b, list[512], list2[512];
	char back[512];
	uint8_t enc[2048];
	unsigned keep;
	int ab, ba, n;

	if (text == NULL)
		return (0);
	/* Two strings: before and after the first '|'. */
	a = text;
	b = strchr(text, '|');
	if (b != NULL)
		*b++ = '\0';
	else
		b = "";
	ab = dpkg_version_compare(a, b);
	ba = dpkg_version_compare(b, a);
	FUZZ_ASSERT((ab > 0) == (ba < 0) && (ab == 0) == (ba == 0));
	FUZZ_ASSERT(dpkg_version_compare(a, a) == 0);
	(void) ksel_parse_keep(a, &keep);

	if (b[0] != '\0' && strchr(b, ',') == NULL &&
	    ksel_list_add(a, b, list, sizeof (list))) {
		FUZZ_ASSERT(ksel_list_has(list, b));
		if (ksel_list_remove(list, b, list2, sizeof (list2)))
			FUZZ_ASSERT(!ksel_list_has(list2, b));
	}

	(void) efivar_decode(data, size, back, sizeof (back));
	if ((n = efivar_encode(a, enc, sizeof (enc))) > 0 &&
	    efivar_decode(enc, (size_t)n, back, sizeof (back)))
		FUZZ_ASSERT(strcmp(back, a) == 0);
	free(text);
	return (0);
}
