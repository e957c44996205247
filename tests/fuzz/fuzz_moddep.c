/*
 * fuzz_moddep.c - a BE's modules.dep and modules.builtin as beadm vm reads
 * them (vm/vm_moddep.c) to pack the modules its initramfs needs.  The
 * input's first line is the module wanted, the rest the file.  Properties:
 * resolving ends; every path taken is relative and never climbs, is a whole
 * word of the file (nothing cut), and is taken once; the module wanted comes
 * last, after what it needs; a module not listed changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vm.h"
#include "vm_moddep.h"

/* Is word a blank- or colon-delimited word of text? */
static bool
a_word_of(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = text; (p = strstr(p, word)) != NULL; p++)
		if ((p == text || strchr(" \t\n:", p[-1]) != NULL) &&
		    strchr(" \t\n:", p[n]) != NULL)
			return (true);
	return (false);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *dep, err[VM_ERR_MAX];
	struct vm_modlist m = { .n = 0 };
	const char *p, *last;
	size_t i, j;
	int rc;

	if (text == NULL)
		return (0);
	dep = text + strcspn(text, "\n");
	if (*dep == '\n')
		*dep++ = '\0';
	/* Once with m empty, once more on top: what is there stays once. */
	for (j = 0; j < 2; j++) {
		size_t before = m.n;

		err[0] = '\0';
		rc = vm_moddep_resolve(&m, dep, text, err);
		FUZZ_ASSERT(rc >= -1 && rc <= 1);
		FUZZ_ASSERT(memchr(err, '\0', sizeof (err)) != NULL);
		FUZZ_ASSERT(m.n <= VM_MAX_MODULES);
		if (rc == 1)
			FUZZ_ASSERT(m.n == before);
		if (rc == -1)
			FUZZ_ASSERT(err[0] != '\0');
		if (rc != 0)
			break;
		FUZZ_ASSERT(m.n > 0);
		last = m.path[m.n - 1];
		p = strrchr(last, '/');
		p = p != NULL ? p + 1 : last;
		FUZZ_ASSERT(strlen(p) >= strlen(text));
	}
	for (i = 0; i < m.n; i++) {
		p = m.path[i];
		FUZZ_ASSERT(p[0] != '\0' && p[0] != '/');
		FUZZ_ASSERT(strncmp(p, "../", 3) != 0 && strcmp(p, "..") != 0);
		FUZZ_ASSERT(strstr(p, "/../") == NULL);
		FUZZ_ASSERT(strlen(p) < 3 ||
		    strcmp(p + strlen(p) - 3, "/..") != 0);
		FUZZ_ASSERT(a_word_of(dep, p));
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(m.path[j], p) != 0);
	}
	(void) vm_moddep_builtin(dep, text);
	vm_modlist_free(&m);
	free(text);
	return (0);
}
