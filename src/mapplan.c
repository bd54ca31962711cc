#include "mapplan.h"
#include "scan.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A line of a file: its bytes with the '\n' [raw, end) and its entry, trimmed
 * and split into fields when it is one (all fields empty when not); the
 * numbers of its third and fourth fields (a passwd entry's uid and gid, a
 * group's gid), or NO_ID. */
struct line {
	const char *raw, *end;
	uint64_t id[2];
	struct field f[GR_NFIELDS]; /* the first four: the plan changes no later one */
	bool entry;
};

/* Past every uid_t: equal to no id, MAP_KEEP included. */
#define NO_ID UINT64_MAX

/* The line of f that starts at p (where the one before ends) into *l:
 * false at the end. */
static bool next_line(const struct mapfile *f, struct line *l, const char *p)
{
	const char *end, *nl, *stop;
	struct field e;

	if (f->len == 0 || p == (end = f->data + f->len)) /* (a missing file has no data) */
		return false;
	nl = scan_byte(p, end, '\n');
	stop = nl ? nl : end;
	l->raw = p;
	l->end = stop + (nl != NULL);
	l->entry = entry_of(l->raw, (size_t)(stop - l->raw), &e);
	split(e.p, l->entry ? e.n : 0, l->f, GR_NFIELDS);
	for (int i = 0; i < 2; i++) {
		uint32_t v;

		l->id[i] = parse_file_id(l->f[2 + i], &v) ? v : NO_ID;
	}
	return true;
}

#define EACH_LINE(file, l) \
	for (const char *at_ = (file)->data; next_line((file), &(l), at_); at_ = (l).end)

static bool same(struct field a, struct field b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Whether the ','-separated list holds name as a whole member. */
static bool listed(struct field list, struct field name)
{
	const char *end = list.p + list.n;

	for (const char *p = list.p, *q = p;; q++) {
		if (q < end && *q != ',')
			continue;
		if (same((struct field){p, (size_t)(q - p)}, name))
			return true;
		if (q == end)
			return false;
		p = q + 1;
	}
}

/* Copies a line with its third and fourth fields (a passwd entry's uid
 * and gid, a group's gid and members) replaced by the numbers v2 and v3
 * where they hold another (l->id[] keeps both as they are written), and
 * member, unless NULL, added to the fourth field's list. */
static void put_line(struct buf *b, const struct line *l, uint64_t v2, uint64_t v3,
                     const char *member)
{
	const char *p = l->raw;
	const uint64_t v[2] = {v2, v3};

	for (int i = 0; i < 2; i++) {
		const struct field *f = &l->f[2 + i];

		if (v[i] != l->id[i]) {
			buf_fmt(b, "%b%u", p, (size_t)(f->p - p), (unsigned)v[i]);
			p = f->p + f->n;
		}
	}
	if (member) {
		/* A line cut short of its member list gets the colons first. */
		const struct field *f = &l->f[GR_MEMBERS];
		const char *stop = f->p + f->n;
		size_t colons = 0;

		for (const char *c = l->f[0].p; c < stop; c++)
			colons += *c == ':';
		buf_fmt(b, "%b%b%s%s", p, (size_t)(stop - p), ":::", GR_MEMBERS - colons,
		        f->n ? "," : "", member);
		p = stop;
	}
	buf_add(b, p, (size_t)(l->end - p));
}

/* Adds ", uid N with NAME" (without the comma first) to the notice of
 * who shares an id. (Out of line: inlined twice, it costs more than the
 * call.) */
static __attribute__((noinline)) void add_sharer(struct buf *b, const char *what, uint32_t id,
                                                  const struct line *l)
{
	buf_fmt(b, "%s%s %u with %q", b->len ? ", " : "", what, id, l->f[0].p, l->f[0].n);
}

/* Whether v is neither a target id nor MAP_KEEP. */
static bool bad_id(uint32_t v)
{
	return v - 1 >= MAP_ID_MAX && v != MAP_KEEP;
}

/* Empty or a number: a user spec reads it as a uid, not as a name. */
static bool number_like(const char *s)
{
	s += *s == '+' || *s == '-';
	while (*s >= '0' && *s <= '9')
		s++;
	return *s == '\0';
}

int map_plan(struct mapplan *p, const char *name, uid_t u, gid_t g, char **reason)
{
	struct field me = {name, strlen(name)};
	struct line l;
	const char *tmpl = NULL;         /* the template's passwd line */
	uint64_t old_uid = 0, old_gid = 0; /* its ids, NO_ID when malformed */
	const char *why = NULL;
	const char *before = NULL;  /* the line the template moves to just before */
	const char *grp_new = NULL; /* the group line holding g already */
	const char *grp_own = NULL; /* the template's private group's line */
	const char *grp_old = NULL; /* the line of its old primary group */
	struct field old_name = {0}; /* that group's name */
	bool old_lists = false;      /* whether it lists the template already */
	const char *renumbered = NULL; /* grp_own, when it takes the new gid */
	const char *joined = NULL;     /* grp_old, when the template joins it */

	if (bad_id(u) || bad_id(g))
		why = "uid and gid must be in range 1-2147483647";
	else if (number_like(name))
		why = "the template must be a name";
	else {
		EACH_LINE(&p->f[MAP_PASSWD], l) {
			if (!tmpl && same(l.f[PW_NAME], me)) {
				tmpl = l.raw;
				old_uid = l.id[0];
				old_gid = l.id[1];
			} else if (l.id[0] == u) {
				if (!tmpl && !before)
					before = l.raw;
				add_sharer(&p->notice, "uid", u, &l);
			}
		}
		if (!tmpl)
			why = "unable to find user %s: no matching entries in passwd file";
		else if ((old_uid | old_gid) == NO_ID) /* either, as ids have 32 bits */
			why = "the template %s has a malformed uid or gid";
		else if (old_uid == 0)
			why = "the template %s has uid 0: name the account the image runs as";
	}
	if (why) {
		struct buf b = {0};

		buf_fmt(&b, why, name);
		*reason = buf_str(&b);
		return -1;
	}
	p->old_uid = (uid_t)old_uid;
	p->old_gid = (gid_t)old_gid;
	p->uid = u == MAP_KEEP ? p->old_uid : u;
	p->gid = g == MAP_KEEP ? p->old_gid : g;
	if (p->uid == p->old_uid)
		before = NULL;
	if (p->gid != p->old_gid) {
		EACH_LINE(&p->f[MAP_GROUP], l) {
			if (!grp_new && l.id[0] == p->gid) {
				grp_new = l.raw;
				add_sharer(&p->notice, "gid", p->gid, &l);
			}
			if (l.id[0] != p->old_gid)
				continue;
			if (!grp_own && same(l.f[GR_NAME], me))
				grp_own = l.raw;
			if (!grp_old || grp_own == l.raw) {
				grp_old = l.raw;
				old_name = l.f[GR_NAME];
				old_lists = listed(l.f[GR_MEMBERS], me);
			}
		}
		/* Group 0 is never renumbered nor joined. */
		if (p->old_gid != 0) {
			renumbered = grp_new ? NULL : grp_own;
			if (!renumbered && grp_old && !old_lists)
				joined = grp_old;
		}
	}

	/* The template's line, at its place or moved before the first other
	 * entry with its new uid; with renumbering, the other entries of its
	 * private group follow it. /etc/group and /etc/gshadow: the private
	 * group renumbered, or the template added to its old primary group's
	 * members (both files keep members in their fourth field). */
	for (int i = 0; i < MAP_NFILES; i++) {
		struct buf *b = &p->f[i].out;

		EACH_LINE(&p->f[i], l) {
			uint64_t v2 = l.id[0], v3 = l.id[1];
			const char *member = NULL;

			if (i == MAP_PASSWD) {
				if (l.raw == before) {
					/* The template's line, read again. */
					struct line t;

					next_line(&p->f[i], &t, tmpl);
					put_line(b, &t, p->uid, p->gid, NULL);
					if (t.end[-1] != '\n')
						buf_addc(b, '\n');
				}
				if (l.raw == tmpl) {
					if (before)
						continue;
					v2 = p->uid, v3 = p->gid;
				} else if (renumbered && l.id[1] == p->old_gid) {
					v3 = p->gid;
				}
			} else if (i == MAP_GROUP && l.raw == renumbered) {
				v2 = p->gid;
			} else if (joined && (i == MAP_GSHADOW ? l.entry && same(l.f[GR_NAME], old_name) &&
			                                             !listed(l.f[GR_MEMBERS], me)
			                                       : l.raw == joined)) {
				member = name;
			}
			put_line(b, &l, v2, v3, member);
		}
	}
	for (int i = 0; i < MAP_NFILES; i++) {
		struct mapfile *f = &p->f[i];

		if (f->out.failed || p->notice.failed) {
			*reason = NULL;
			return -1;
		}
		f->changed = !same((struct field){f->out.s, f->out.len}, (struct field){f->data, f->len});
	}
	return 0;
}

void map_plan_free(struct mapplan *p)
{
	for (size_t i = 0; i < MAP_NFILES; i++)
		buf_free(&p->f[i].out);
	buf_free(&p->notice);
}

static ssize_t planned_read(struct lines *l, char *dst, size_t n)
{
	struct field *rest = &((struct mapfile *)l->ctx)->rest;

	if (n > rest->n)
		n = rest->n;
	if (n) { /* (rest->p is NULL for an empty file) */
		memcpy(dst, rest->p, n);
		rest->p += n;
		rest->n -= n;
	}
	return (ssize_t)n;
}

static int planned_open(const struct dbfile *db, struct lines *l, const char **op)
{
	struct mapfile *f = db->ctx;

	(void)op;
	if (!f->data)
		return ENOENT;
	/* out holds the planned bytes of every file there is, changed or not. */
	f->rest = (struct field){f->out.s, f->out.len};
	*l = (struct lines){.read = planned_read, .ctx = f, .size_hint = f->rest.n};
	return 0;
}

struct dbfile map_dbfile(struct mapfile *f)
{
	return (struct dbfile){.path = f->path, .open = planned_open, .ctx = f};
}
