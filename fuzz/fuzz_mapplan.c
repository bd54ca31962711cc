/* libFuzzer target for the --map-ids plan (src/mapplan.c).
 *
 * Besides what the sanitizers catch, every successful plan is checked
 * line by line against the input, and abort()s when one of these fails:
 *
 *  M1  the template is an entry named like the spec with a uid that is
 *      not 0, and the planned ids are the ones asked for (or the
 *      template's own, for an id the source does not give).
 *  M2  /etc/passwd: the output holds the input's lines in their order,
 *      except the template's line, which may stand earlier, with its uid
 *      and gid fields (and nothing else) replaced by the planned ids; and
 *      lines whose gid field held the old gid, given the new one (only
 *      when the template's private group was renumbered).
 *  M3  /etc/group and /etc/gshadow: line for line the input's, except
 *      the template's private group with its gid field replaced, and the
 *      old primary group (never gid 0) with the template appended to its
 *      members.
 *  M4  no line the plan changed holds uid or gid 0.
 *  M5  the planned files resolve, by the template's name, to the planned
 *      ids whenever the input resolved at all, and with no new membership
 *      of group 0.
 *  M6  planning again on the output changes nothing.
 *
 * Input layout: [0] flags (1 gshadow present, 2 no uid, 4 no gid, 8 ids
 * taken modulo 2048, so that they meet the files' own); [1..4] [5..8] the
 * uid and gid, little endian; then the template name up to a NUL, then
 * /etc/passwd, /etc/group and /etc/gshadow separated by "\0\0".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mapplan.h"

static _Noreturn void broken(const char *what)
{
	(void)fprintf(stderr, "PROPERTY FAILED: %s\n", what);
	abort();
}

#define CHECK(c, what) do { if (!(c)) broken(what); } while (0)

struct text {
	const char *p;
	size_t n;
};

/* The next line with its '\n', or false at the end. */
static bool line_of(struct text *rest, struct text *line)
{
	const char *nl;

	if (rest->n == 0)
		return false;
	nl = memchr(rest->p, '\n', rest->n);
	line->p = rest->p;
	line->n = nl ? (size_t)(nl + 1 - rest->p) : rest->n;
	rest->p += line->n;
	rest->n -= line->n;
	return true;
}

static bool entry_named(struct text l, const char *name, struct field *f, size_t nf)
{
	struct field e;
	size_t len = l.n - (l.n && l.p[l.n - 1] == '\n');

	if (!entry_of(l.p, len, &e))
		return false;
	split(e.p, e.n, f, nf);
	return !name || (f[0].n == strlen(name) && !memcmp(f[0].p, name, f[0].n));
}

static bool same(struct text a, const char *b, size_t n)
{
	return a.n == n && (n == 0 || !memcmp(a.p, b, n));
}

/* The line with field f replaced by the number v (and g by w when g). */
static void replaced(struct buf *b, struct text l, struct field f, uint64_t v,
                     const struct field *g, uint64_t w)
{
	buf_free(b);
	buf_add(b, l.p, (size_t)(f.p - l.p));
	buf_addu(b, v);
	if (g) {
		buf_add(b, f.p + f.n, (size_t)(g->p - (f.p + f.n)));
		buf_addu(b, w);
		buf_add(b, g->p + g->n, (size_t)(l.p + l.n - (g->p + g->n)));
	} else {
		buf_add(b, f.p + f.n, (size_t)(l.p + l.n - (f.p + f.n)));
	}
}

/* The group line with name appended to its member list. */
static void appended(struct buf *b, struct text l, const struct field *f, const char *name)
{
	const char *end = f[GR_MEMBERS].p + f[GR_MEMBERS].n;
	size_t colons = 0;

	buf_free(b);
	buf_add(b, l.p, (size_t)(end - l.p));
	for (const char *c = f[0].p; c < end; c++)
		colons += *c == ':';
	for (; colons < 3; colons++)
		buf_addc(b, ':');
	if (f[GR_MEMBERS].n)
		buf_addc(b, ',');
	buf_adds(b, name);
	buf_add(b, end, (size_t)(l.p + l.n - end));
}

static uint32_t id_of(struct field f)
{
	uint32_t v;

	return parse_file_id(f, &v) ? v : UINT32_MAX;
}

static struct text out_of(const struct mapfile *f)
{
	return f->changed ? (struct text){f->out.s, f->out.len} : (struct text){f->data, f->len};
}

static void check_passwd(const struct mapplan *p, const char *name)
{
	struct text in = {p->f[MAP_PASSWD].data, p->f[MAP_PASSWD].len}, out = out_of(&p->f[MAP_PASSWD]);
	struct text il, ol, tmpl = {0};
	struct field fi[PW_NFIELDS], fo[PW_NFIELDS], ft[PW_NFIELDS];
	struct buf want = {0};
	bool seen_in = false, seen_out = false;

	/* M1: the template is the first entry of the name. */
	for (struct text r = in; line_of(&r, &il);)
		if (entry_named(il, name, ft, PW_NFIELDS)) {
			tmpl = il;
			break;
		}
	CHECK(tmpl.p && id_of(ft[PW_UID]) == p->old_uid && p->old_uid != 0 &&
	      id_of(ft[PW_GID]) == p->old_gid, "M1 template");
	/* M2: walk both, the template's line taken out of each. */
	for (struct text ri = in, ro = out;;) {
		bool more_in, more_out;

		while ((more_in = line_of(&ri, &il)) && !seen_in && il.p == tmpl.p)
			seen_in = true;
		while ((more_out = line_of(&ro, &ol)) && !seen_out && entry_named(ol, name, fo, PW_NFIELDS)) {
			seen_out = true;
			/* The template's new line: only its two id fields differ. */
			if (p->uid != p->old_uid && p->gid != p->old_gid)
				replaced(&want, tmpl, ft[PW_UID], p->uid, &ft[PW_GID], p->gid);
			else if (p->uid != p->old_uid)
				replaced(&want, tmpl, ft[PW_UID], p->uid, NULL, 0);
			else if (p->gid != p->old_gid)
				replaced(&want, tmpl, ft[PW_GID], p->gid, NULL, 0);
			else
				buf_free(&want), buf_add(&want, tmpl.p, tmpl.n);
			if (want.len && want.s[want.len - 1] != '\n' && ro.n)
				buf_addc(&want, '\n');
			CHECK(same(ol, want.s, want.len), "M2 template line");
			CHECK(p->uid != 0 && (p->gid != 0 || p->old_gid == 0), "M4 template ids");
		}
		CHECK(more_in == more_out, "M2 line count");
		if (!more_in)
			break;
		if (same(ol, il.p, il.n))
			continue;
		/* A line that shared the renumbered group. */
		CHECK(entry_named(il, NULL, fi, PW_NFIELDS) && id_of(fi[PW_GID]) == p->old_gid &&
		      p->gid != 0, "M2/M4 only the old gid changes");
		replaced(&want, il, fi[PW_GID], p->gid, NULL, 0);
		CHECK(same(ol, want.s, want.len), "M2 gid field only");
	}
	CHECK(seen_in && seen_out, "M2 template kept");
	buf_free(&want);
}

static void check_groups(const struct mapplan *p, const char *name, int which)
{
	struct text ri = {p->f[which].data, p->f[which].len}, ro = out_of(&p->f[which]), il, ol;
	struct field f[GR_NFIELDS];
	struct buf want = {0};

	if (!p->f[which].data)
		return;
	for (;;) {
		bool more_in = line_of(&ri, &il), more_out = line_of(&ro, &ol);

		CHECK(more_in == more_out, "M3 line count");
		if (!more_in)
			break;
		if (same(ol, il.p, il.n))
			continue;
		CHECK(entry_named(il, NULL, f, GR_NFIELDS), "M3 an entry");
		if (which == MAP_GROUP && id_of(f[GR_GID]) == p->old_gid &&
		    f[0].n == strlen(name) && !memcmp(f[0].p, name, f[0].n)) {
			replaced(&want, il, f[GR_GID], p->gid, NULL, 0);
			if (same(ol, want.s, want.len)) {
				CHECK(p->gid != 0 && p->old_gid != 0, "M4 group 0 renumbered");
				continue;
			}
		}
		appended(&want, il, f, name);
		CHECK(same(ol, want.s, want.len), "M3 a member appended");
		CHECK(p->old_gid != 0 && (which == MAP_GSHADOW || id_of(f[GR_GID]) == p->old_gid),
		      "M3/M4 joined the old group, never group 0");
	}
	buf_free(&want);
}

static bool has_zero(const struct target *t)
{
	for (size_t i = 0; i < t->ngroups; i++)
		if (t->groups[i] == 0)
			return true;
	return false;
}

static void check_resolves(struct mapplan *p, const char *name)
{
	struct mapfile in_p = {.path = "/etc/passwd", .data = p->f[MAP_PASSWD].data, .len = p->f[MAP_PASSWD].len};
	struct mapfile in_g = {.path = "/etc/group", .data = p->f[MAP_GROUP].data, .len = p->f[MAP_GROUP].len};
	struct dbfile ip = map_dbfile(&in_p), ig = map_dbfile(&in_g);
	struct dbfile op = map_dbfile(&p->f[MAP_PASSWD]), og = map_dbfile(&p->f[MAP_GROUP]);
	struct target before, after;
	char *why = NULL;

	if (resolve(name, &ip, &ig, 0, 0, &before, &why)) {
		free(why);
		return;
	}
	CHECK(!resolve(name, &op, &og, 0, 0, &after, &why), "M5 resolves");
	CHECK(after.uid == p->uid && after.gid == p->gid, "M5 the planned ids");
	CHECK(!has_zero(&after) || has_zero(&before) || p->gid == 0, "M5 no new group 0");
	target_free(&before);
	target_free(&after);
}

static void check_again(const struct mapplan *p, const char *name, uint32_t u, uint32_t g)
{
	struct mapplan again = {0};
	char *why = NULL;

	for (int i = 0; i < MAP_NFILES; i++) {
		struct text t = out_of(&p->f[i]);

		again.f[i] = (struct mapfile){.path = p->f[i].path, .data = p->f[i].data ? t.p : NULL,
		                              .len = t.n};
	}
	CHECK(!map_plan(&again, name, u, g, &why), "M6 plans again");
	for (int i = 0; i < MAP_NFILES; i++)
		CHECK(!again.f[i].changed, "M6 nothing more to change");
	map_plan_free(&again);
}

/* The next part of the input, up to sep (of seplen bytes) or the end. */
static struct text part(const uint8_t **p, const uint8_t *end, const char *sep, size_t seplen)
{
	const uint8_t *s = *p;
	struct text t = {(const char *)s, (size_t)(end - s)};

	for (; s + seplen <= end; s++)
		if (!memcmp(s, sep, seplen)) {
			t.n = (size_t)(s - *p);
			*p = s + seplen;
			return t;
		}
	*p = end;
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {"/etc/passwd", "/etc/group", "/etc/gshadow"};
	const uint8_t *p = data + 9, *end = data + size;
	struct mapplan plan = {0};
	struct text name, files[MAP_NFILES];
	uint32_t u, g;
	char *why = NULL, *tname;

	if (size < 9)
		return 0;
	memcpy(&u, data + 1, 4);
	memcpy(&g, data + 5, 4);
	if (data[0] & 8)
		u %= 2048, g %= 2048;
	if (data[0] & 2)
		u = MAP_KEEP;
	if (data[0] & 4)
		g = MAP_KEEP;
	name = part(&p, end, "", 1);
	for (int i = 0; i < MAP_NFILES; i++)
		files[i] = part(&p, end, "\0", 2);
	if (!(tname = strndup(name.p, name.n)))
		return 0;
	for (int i = 0; i < MAP_NFILES; i++) {
		/* The files' own copies, so that a read past them is caught. */
		char *copy = malloc(files[i].n + 1);

		if (!copy)
			abort();
		memcpy(copy, files[i].p, files[i].n);
		plan.f[i] = (struct mapfile){.path = paths[i], .data = copy, .len = files[i].n};
	}
	if (!(data[0] & 1)) {
		free((char *)plan.f[MAP_GSHADOW].data);
		plan.f[MAP_GSHADOW].data = NULL;
		plan.f[MAP_GSHADOW].len = 0;
	}
	if (!map_plan(&plan, tname, u, g, &why)) {
		CHECK(plan.uid == (u == MAP_KEEP ? plan.old_uid : u) &&
		      plan.gid == (g == MAP_KEEP ? plan.old_gid : g), "M1 planned ids");
		check_passwd(&plan, tname);
		check_groups(&plan, tname, MAP_GROUP);
		check_groups(&plan, tname, MAP_GSHADOW);
		check_resolves(&plan, tname);
		check_again(&plan, tname, u, g);
	} else {
		CHECK(!why || *why, "a reason");
	}
	free(why);
	for (int i = 0; i < MAP_NFILES; i++)
		free((char *)plan.f[i].data);
	map_plan_free(&plan);
	free(tname);
	return 0;
}
