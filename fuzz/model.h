/* A second, independent resolver that the fuzzer holds the real one to.
 *
 * It is written from behaviour.md §3 and §4 alone and shares no code with
 * src/resolve.c or src/lines.c: it sees each file whole, in memory, cuts
 * it at '\n' with memchr, compares numbers as digit strings instead of
 * saturating them, and finds duplicate gids by sorting instead of with a
 * hash set. Only the wording of messages is shared (buf_quote for Go's
 * quoting, buf_adderr for errno texts), since those are tested on their
 * own. Simple and slow on purpose: it only has to be obviously right. */
#ifndef FUZZ_MODEL_H
#define FUZZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct model_file {
	const char *path;
	const char *data;
	size_t len;
	bool missing;        /* ENOENT: reads as empty */
	int open_err;        /* else, when not 0: opening fails with it */
	const char *open_op; /* ... reported as this operation */
};

struct model_result {
	bool ok;
	uint32_t uid, gid;
	uint32_t *groups; /* malloc'd */
	size_t ngroups;
	const char *home; /* into the passwd data, or "/" */
	size_t home_len;
	char *reason; /* malloc'd, when !ok */

	/* How the user part was decided, for the fuzzer's own properties. */
	bool matched;              /* a passwd entry was selected */
	bool matched_uid_field_0;  /* ... and its uid field reads exactly 0 */
	bool opened_group;         /* the group file had to be read */
};

void model_resolve(const char *spec, const struct model_file *pw,
                   const struct model_file *gr, uint32_t ruid, uint32_t rgid,
                   struct model_result *out);
void model_free(struct model_result *r);

/* The number grammar of behaviour.md §3, kept as text: *value is set only
 * when the number is an integer in 0..UINT32_MAX ("-0" is 0). */
bool model_number(const char *p, size_t n, bool *fits_u32, uint32_t *value);

#endif
