/* libFuzzer target for the pure resolver (src/resolve.c, src/lines.c).
 *
 * The input bytes are cut into a caller, a spec, an /etc/passwd and an
 * /etc/group (layout below); the resolver reads the two files through
 * tests/unit/memdb.c, a few bytes per read when the input says so, so that
 * lines straddle reads at every possible place.
 *
 * Besides what the sanitizers catch (a crash, an out-of-bounds access,
 * undefined behaviour, a leak), every run checks these properties of the
 * result and abort()s when one fails:
 *
 *  P1  uid 0 only when the spec's user part is a number equal to 0, or is
 *      empty and the caller's uid is 0, or the passwd entry the spec
 *      selects has a uid field that is a valid 0. "The entry the spec
 *      selects" comes from the independent model (fuzz/model.c); as a
 *      second, cruder guard that needs no model at all, some line of the
 *      passwd input must then have a third field that is exactly
 *      [+-]?0+ (a line the resolver could have read as 0).
 *      Likewise gid 0 (primary or supplementary) only when the spec's group
 *      part is a number equal to 0, or the caller's gid is 0, or some
 *      passwd line's gid field or some group line's gid field is [+-]?0+.
 *  P2  every id is in range: uid, gid and each group in 0..4294967294
 *      (4294967295 is "no change" to the kernel).
 *  P3  a numeric spec never resolves by name: when the user part follows
 *      the number grammar, the uid is that number (the entry found has
 *      it, or the number itself is taken); the same for the group part.
 *  P4  the primary gid is in the list, first.
 *  P5  the list has no duplicates and 1..65536 entries.
 *  P6  HOME never contains a NUL byte (it could only be cut short).
 *  P7  a failure always has a non-empty reason.
 *  P8  the resolver agrees with the model exactly: success or failure, the
 *      uid, gid, list in order and HOME, or the reason word for word; and
 *      it opens /etc/passwd once and /etc/group once or never, exactly
 *      when the model needs it. The model reads each file whole, the
 *      resolver in chunks, so this also proves that where reads split a
 *      line never matters.
 *
 * Input layout (all multi-byte numbers little endian):
 *   [0]     flags: 1 passwd missing, 2 group missing, 4 passwd fails to
 *           open, 8 group fails to open, bits 4-5 the caller (0: 0:0,
 *           1: 8888:8888, 2: 1000:1000, 3: bytes 5-12), 64 group error
 *           is EISDIR at read rather than EACCES at open, 128 passwd error
 *           is "not a regular file" rather than EACCES
 *   [1] [2] bytes per read for passwd and group (0: as many as fit); bits
 *           6-7 also choose the size the file claims at open (0 unknown,
 *           1 its own, 2 one byte, 3 twice its own), which sizes the
 *           reader's first buffer
 *   [3]     (FUZZ_BIG) long line, when 0xa0 | f << 3 | d: in the files f says (1
 *           passwd, 2 group, 3 both), a run of LINE_MAX_BYTES - 4 + d bytes
 *           'g' replaces the first byte 0x01 (or is appended); reads then
 *           come in 4096 times larger chunks
 *   [4]     (FUZZ_BIG) many groups: 0xb0 | k appends 65528 + k group lines, each
 *           listing the spec's user part as a member, with distinct gids
 *   [5..8] [9..12] the caller's uid and gid when bits 4-5 of [0] are 3
 *   then    the spec, up to the first NUL (argv cannot hold a NUL)
 *   then    /etc/passwd, up to the first "\0\0", then /etc/group.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "errtext.h"
#include "lines.h"
#include "memdb.h"
#include "model.h"
#include "resolve.h"

/* Built twice: without the two costly modes ([3] and [4] of the layout above), which
 * runs at thousands of inputs a second, and with them (-DFUZZ_BIG=1),
 * where one input in four or so takes milliseconds. */
#ifndef FUZZ_BIG
#define FUZZ_BIG 0
#endif

#define HEADER 13
#define SEPARATOR "\0\0"
#define BULK_BASE (MAX_GROUPS - 8)
#define ID_MAX 4294967294u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *spec)
{
	(void)fprintf(stderr, "PROPERTY FAILED: %s (spec \"%s\")\n", what, spec);
	abort();
}

#define REQUIRE(cond, what) \
	do { \
		if (!(cond)) \
			fail(what, spec); \
	} while (0)

/* [+-]?0+: a field that reads as exactly 0 by the number grammar. */
static bool reads_zero(const char *p, size_t n)
{
	size_t i = n > 0 && (p[0] == '+' || p[0] == '-');

	if (i == n)
		return false;
	for (; i < n; i++)
		if (p[i] != '0')
			return false;
	return true;
}

/* Whether some line's field number k (from 0) reads as exactly 0. Simple
 * and separate from both resolvers: cut at '\n', trim, cut at ':'. */
static bool some_field_reads_zero(const char *p, size_t n, size_t k)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) : n;
		const char *s = p, *end = p + len;

		p += len + (nl != NULL);
		n -= len + (nl != NULL);
		while (s < end && strchr(" \t\n\v\f\r", *s) && *s)
			s++;
		while (end > s && strchr(" \t\n\v\f\r", end[-1]) && end[-1])
			end--;
		for (size_t i = 0; i < k && s < end; i++) {
			const char *colon = memchr(s, ':', (size_t)(end - s));

			s = colon ? colon + 1 : end;
		}
		const char *colon = memchr(s, ':', (size_t)(end - s));
		if (reads_zero(s, colon ? (size_t)(colon - s) : (size_t)(end - s)))
			return true;
	}
	return false;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The file's bytes, with the long line put in when asked for. */
static char *expand(const uint8_t *p, size_t n, bool grow, unsigned d, size_t *len)
{
	size_t run = grow ? LINE_MAX_BYTES - 4 + d : 0;
	const uint8_t *mark = grow ? memchr(p, 1, n) : NULL;
	size_t at = mark ? (size_t)(mark - p) : n, skip = mark != NULL;
	char *out = malloc(n + run + 1);

	if (!out)
		abort();
	if (at)
		memcpy(out, p, at);
	memset(out + at, 'g', run);
	if (n - at - skip)
		memcpy(out + at + run, p + at + skip, n - at - skip);
	*len = n - skip + run;
	return out;
}

/* The bulk lines for a member, made once and kept: building 65543 lines
 * per run would cost more than resolving them. Not instrumented for
 * coverage, since it is not the code under test. */
#define BULK_MAX (BULK_BASE + 15)
static struct {
	char *text, *member;
	size_t member_len, end[BULK_MAX + 1]; /* end[i]: the length of i lines */
} bulk_cache;

#ifdef __clang__
__attribute__((no_sanitize("coverage")))
#endif
static char *add_bulk(char *group, size_t *len, unsigned count, const char *member,
                      size_t member_len)
{
	if (!bulk_cache.text || bulk_cache.member_len != member_len ||
	    memcmp(bulk_cache.member, member, member_len) != 0) {
		size_t cap = BULK_MAX * (member_len + 40), n = 0;

		free(bulk_cache.text);
		free(bulk_cache.member);
		bulk_cache.text = malloc(cap);
		bulk_cache.member = malloc(member_len + 1);
		if (!bulk_cache.text || !bulk_cache.member)
			abort();
		memcpy(bulk_cache.member, member, member_len);
		bulk_cache.member_len = member_len;
		for (unsigned i = 0; i < BULK_MAX; i++) {
			n += (size_t)snprintf(bulk_cache.text + n, cap - n, "bulk%u:x:%u:", i,
			                      1000000u + i);
			memcpy(bulk_cache.text + n, member, member_len);
			n += member_len;
			bulk_cache.text[n++] = '\n';
			bulk_cache.end[i + 1] = n;
		}
	}
	bool nl = *len && group[*len - 1] != '\n';
	size_t add = bulk_cache.end[count];
	char *out = malloc(*len + nl + add + 1);

	if (!out)
		abort();
	if (*len)
		memcpy(out, group, *len);
	if (nl)
		out[*len] = '\n';
	memcpy(out + *len + nl, bulk_cache.text, add);
	free(group);
	*len += nl + add;
	return out;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void check(const char *spec, const char *pw, size_t pwlen, const char *gr, size_t grlen,
                  uint32_t ruid, uint32_t rgid, int rc, const struct target *t,
                  const char *reason, const struct model_result *m,
                  unsigned pw_opened, unsigned gr_opened)
{
	size_t user_len = strcspn(spec, ":");
	const char *group_part = spec[user_len] ? spec + user_len + 1 : "";
	size_t group_len = strcspn(group_part, ":");
	bool fits;
	uint32_t v;

	if (rc != 0) {
		REQUIRE(rc == -1, "resolve returns 0 or -1");
		REQUIRE(reason && reason[0], "P7: a failure has a reason");
	} else {
		REQUIRE(t->uid <= ID_MAX && t->gid <= ID_MAX, "P2: ids in range");
		if (t->uid == 0)
			REQUIRE((model_number(spec, user_len, &fits, &v) && fits && v == 0) ||
			        (user_len == 0 && ruid == 0) ||
			        (m->matched_uid_field_0 && some_field_reads_zero(pw, pwlen, 2)),
			        "P1: uid 0 only from a 0 in the spec, a root caller or a valid 0 uid field");
		if (model_number(spec, user_len, &fits, &v))
			REQUIRE(fits && t->uid == v, "P3: a numeric user part is the uid");
		if (model_number(group_part, group_len, &fits, &v))
			REQUIRE(fits && t->gid == v, "P3: a numeric group part is the gid");
		REQUIRE(t->ngroups >= 1 && t->ngroups <= MAX_GROUPS, "P5: 1..65536 groups");
		REQUIRE(t->groups[0] == t->gid, "P4: the primary gid comes first");

		uint32_t *sorted = malloc(t->ngroups * sizeof *sorted);
		if (!sorted)
			abort();
		memcpy(sorted, t->groups, t->ngroups * sizeof *sorted);
		qsort(sorted, t->ngroups, sizeof *sorted, cmp_u32);
		for (size_t i = 0; i < t->ngroups; i++) {
			REQUIRE(sorted[i] <= ID_MAX, "P2: groups in range");
			REQUIRE(i == 0 || sorted[i] != sorted[i - 1], "P5: no duplicate groups");
		}
		bool zero_gid_possible =
		    (model_number(group_part, group_len, &fits, &v) && fits && v == 0) ||
		    rgid == 0 || some_field_reads_zero(pw, pwlen, 3) ||
		    some_field_reads_zero(gr, grlen, 2);
		REQUIRE(sorted[0] != 0 || zero_gid_possible,
		        "P1: gid 0 only from a 0 in the spec, a root caller or a valid 0 gid field");
		free(sorted);
		REQUIRE(t->home && strlen(t->home) == m->home_len, "P6: HOME without a NUL");
	}

	/* P8: the model. */
	REQUIRE((rc == 0) == m->ok, "P8: success and failure as the model says");
	REQUIRE(pw_opened == 1, "P8: /etc/passwd opened once");
	REQUIRE(gr_opened == (m->opened_group ? 1u : 0u), "P8: /etc/group opened when needed");
	if (rc != 0) {
		if (strcmp(reason, m->reason) != 0) {
			(void)fprintf(stderr, "resolver: %s\nmodel:    %s\n", reason, m->reason);
			fail("P8: the reason as the model says", spec);
		}
		return;
	}
	if (t->uid != m->uid || t->gid != m->gid || t->ngroups != m->ngroups) {
		(void)fprintf(stderr, "resolver: uid %u gid %u ngroups %zu\nmodel:    uid %u gid %u ngroups %zu\n",
		        (unsigned)t->uid, (unsigned)t->gid, t->ngroups, (unsigned)m->uid,
		        (unsigned)m->gid, m->ngroups);
		fail("P8: ids as the model says", spec);
	}
	for (size_t i = 0; i < t->ngroups; i++)
		REQUIRE(t->groups[i] == m->groups[i], "P8: the groups in the model's order");
	REQUIRE(memcmp(t->home, m->home, m->home_len) == 0, "P8: HOME as the model says");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t callers[3][2] = {{0, 0}, {8888, 8888}, {1000, 1000}};

	if (size < HEADER)
		return 0;
	/* The two costly modes take a magic value, so that mutations turn
	 * them on only now and then, and only in the FUZZ_BIG build. */
	unsigned flags = data[0], d = data[3] & 7;
	unsigned grow = FUZZ_BIG && (data[3] & 0xe0) == 0xa0 ? (data[3] >> 3) & 3 : 0;
	size_t pchunk = data[1], gchunk = data[2];
	unsigned caller = (flags >> 4) & 3;
	uint32_t ruid = caller < 3 ? callers[caller][0] : le32(data + 5) % (ID_MAX + 1);
	uint32_t rgid = caller < 3 ? callers[caller][1] : le32(data + 9) % (ID_MAX + 1);
	bool bulk = FUZZ_BIG && (data[4] & 0xf0) == 0xb0;

	const uint8_t *p = data + HEADER, *end = data + size;
	const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
	size_t spec_len = nul ? (size_t)(nul - p) : (size_t)(end - p);
	char *spec = malloc(spec_len + 1);

	if (!spec)
		abort();
	memcpy(spec, p, spec_len);
	spec[spec_len] = '\0';
	p = nul ? nul + 1 : end;

	const uint8_t *sep = memmem(p, (size_t)(end - p), SEPARATOR, 2);
	const uint8_t *pw_end = sep ? sep : end, *gr_start = sep ? sep + 2 : end;
	size_t pwlen, grlen;
	char *pw = expand(p, (size_t)(pw_end - p), grow & 1, d, &pwlen);
	char *gr = expand(gr_start, (size_t)(end - gr_start), grow & 2, d, &grlen);

	if (bulk)
		gr = add_bulk(gr, &grlen, BULK_BASE + (data[4] & 15u), spec, strcspn(spec, ":"));
	if (grow & 1)
		pchunk *= 4096;
	if (grow & 2 || bulk)
		gchunk *= 4096;

	struct memdb pm = {.data = pw, .len = pwlen, .chunk = pchunk,
	                   .missing = flags & 1, .open_err = flags & 4 ? (flags & 128 ? ERR_NOT_REGULAR : EACCES) : 0,
	                   .open_op = flags & 128 ? "read" : "open"};
	struct memdb gm = {.data = gr, .len = grlen, .chunk = gchunk,
	                   .missing = flags & 2, .open_err = flags & 8 ? (flags & 64 ? EISDIR : EACCES) : 0,
	                   .open_op = flags & 64 ? "read" : "open"};
	pm.claim = (enum claim)(data[1] >> 6);
	gm.claim = (enum claim)(data[2] >> 6);
	struct dbfile pf = memdb_file("/etc/passwd", &pm), gf = memdb_file("/etc/group", &gm);
	struct model_file mp = {"/etc/passwd", pw, pwlen, pm.missing, pm.open_err, pm.open_op};
	struct model_file mg = {"/etc/group", gr, grlen, gm.missing, gm.open_err, gm.open_op};
	struct target t = {0};
	struct model_result m;
	char *reason = NULL;
	int rc = resolve(spec, &pf, &gf, ruid, rgid, &t, &reason);

	model_resolve(spec, &mp, &mg, ruid, rgid, &m);
	check(spec, pw, pwlen, gr, grlen, ruid, rgid, rc, &t, reason, &m, pm.opened, gm.opened);

	model_free(&m);
	if (rc == 0)
		target_free(&t);
	free(reason);
	free(pw);
	free(gr);
	free(spec);
	return 0;
}
