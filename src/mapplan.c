#include "mapplan.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A line of a file: its bytes with the '\n' (raw) and its entry, trimmed
 * and split into fields when it is one. */
struct line {
	const char *raw;
	size_t rawlen;
	bool entry;
	struct field f[PW_NFIELDS];
};

/* The next line of [*p, end): false at the end. */
static bool next_line(const char **p, const char *end, struct line *l, size_t nf)
{
	const char *nl;
	struct field e;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	l->raw = *p;
	l->rawlen = nl ? (size_t)(nl + 1 - *p) : (size_t)(end - *p);
	*p += l->rawlen;
	l->entry = entry_of(l->raw, l->rawlen - (nl != NULL), &e);
	if (l->entry)
		split(e.p, e.n, l->f, nf);
	return true;
}

#define EACH_LINE(file, l, nf) \
	for (const char *p_ = (file)->data, *end_ = p_ ? p_ + (file)->len : NULL; \
	     p_ && next_line(&p_, end_, &(l), (nf));)

static bool is_named(const struct line *l, const char *name)
{
	size_t n = strlen(name);

	return l->entry && l->f[0].n == n && memcmp(l->f[0].p, name, n) == 0;
}

static bool same(struct field a, struct field b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static bool has_id(const struct line *l, int field, uint32_t id)
{
	uint32_t v;

	return l->entry && parse_file_id(l->f[field], &v) && v == id;
}

/* Whether the ','-separated list holds name as a whole member. */
static bool listed(struct field list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list.p, *end = list.p + list.n;

	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;

		if ((size_t)(stop - p) == n && memcmp(p, name, n) == 0)
			return true;
		p = stop + 1;
	}
	return false;
}

/* Copies a line with fields replaced, in the order they stand: field
 * rep[i] by the number val[i], or, when val[i] is APPEND, with name
 * added to its member list. The line always ends in '\n' when nl. */
#define APPEND UINT64_MAX

static void put_line(struct buf *b, const struct line *l, const struct field *rep,
                     const uint64_t *val, size_t nrep, const char *name, bool nl)
{
	const char *p = l->raw, *end = l->raw + l->rawlen;

	for (size_t i = 0; i < nrep; i++) {
		const char *stop = rep[i].p + rep[i].n;

		if (val[i] != APPEND) {
			buf_add(b, p, (size_t)(rep[i].p - p));
			buf_addu(b, val[i]);
		} else {
			/* A line cut short of its member list gets the colons first. */
			size_t colons = 0;

			buf_add(b, p, (size_t)(stop - p));
			for (const char *c = l->f[0].p; c < stop; c++)
				colons += *c == ':';
			for (; colons < GR_MEMBERS; colons++)
				buf_addc(b, ':');
			if (rep[i].n)
				buf_addc(b, ',');
			buf_adds(b, name);
		}
		p = stop;
	}
	buf_add(b, p, (size_t)(end - p));
	if (nl && (l->rawlen == 0 || l->raw[l->rawlen - 1] != '\n'))
		buf_addc(b, '\n');
}

static void copy_line(struct buf *b, const struct line *l)
{
	buf_add(b, l->raw, l->rawlen);
}

static int fail(char **reason, struct buf *why)
{
	*reason = buf_str(why);
	return -1;
}

/* Adds ", NAME" (or "NAME" first) to a notice list of who shares an id. */
static void add_sharer(struct buf *b, const char *what, uint64_t id, struct field name)
{
	buf_adds(b, b->len ? ", " : "");
	buf_adds(b, what);
	buf_addu(b, id);
	buf_adds(b, " with ");
	buf_quote(b, name.p, name.n);
}

struct template {
	struct line line;      /* its passwd line */
	const char *before;    /* the line it moves to just before, or NULL */
	const char *grp_new;   /* the group line holding g already, or NULL */
	const char *grp_own;   /* its private group's line, or NULL */
	const char *grp_old;   /* the line of its old primary group, or NULL */
	struct field old_name; /* that group's name */
	bool renumber, join;
};

static int find_template(struct mapplan *p, const char *name, struct template *t,
                         char **reason)
{
	struct buf why = {0};
	struct line l;
	bool found = false;

	EACH_LINE(&p->f[MAP_PASSWD], l, PW_NFIELDS) {
		if (!found && is_named(&l, name)) {
			t->line = l;
			found = true;
		} else if (has_id(&l, PW_UID, p->uid)) {
			if (!found && !t->before)
				t->before = l.raw;
			add_sharer(&p->notice, "uid ", p->uid, l.f[PW_NAME]);
		}
	}
	if (!found) {
		buf_adds(&why, "unable to find user ");
		buf_adds(&why, name);
		buf_adds(&why, ": no matching entries in passwd file");
		return fail(reason, &why);
	}
	if (!parse_file_id(t->line.f[PW_UID], &p->old_uid) ||
	    !parse_file_id(t->line.f[PW_GID], &p->old_gid)) {
		buf_adds(&why, "the template ");
		buf_adds(&why, name);
		buf_adds(&why, " has a malformed uid or gid in /etc/passwd");
		return fail(reason, &why);
	}
	if (p->old_uid == 0) {
		buf_adds(&why, "the template ");
		buf_adds(&why, name);
		buf_adds(&why, " has uid 0: name the account the image runs as");
		return fail(reason, &why);
	}
	if (p->uid == MAP_KEEP)
		p->uid = p->old_uid;
	if (p->old_uid == p->uid)
		t->before = NULL;
	return 0;
}

static void find_groups(struct mapplan *p, const char *name, struct template *t)
{
	struct line l;
	struct field old_members = {"", 0};

	EACH_LINE(&p->f[MAP_GROUP], l, GR_NFIELDS) {
		if (!t->grp_new && has_id(&l, GR_GID, p->gid)) {
			t->grp_new = l.raw;
			if (p->gid != p->old_gid)
				add_sharer(&p->notice, "gid ", p->gid, l.f[GR_NAME]);
		}
		if (!has_id(&l, GR_GID, p->old_gid))
			continue;
		if (!t->grp_own && is_named(&l, name))
			t->grp_own = l.raw;
		if (!t->grp_old || t->grp_own == l.raw) {
			t->grp_old = l.raw;
			t->old_name = l.f[GR_NAME];
			old_members = l.f[GR_MEMBERS];
		}
	}
	if (p->gid == p->old_gid)
		return;
	/* Group 0 is never renumbered nor joined. */
	t->renumber = !t->grp_new && t->grp_own && p->old_gid != 0;
	t->join = !t->renumber && t->grp_old && p->old_gid != 0 && !listed(old_members, name);
}

static void plan_passwd(struct mapplan *p, const struct template *t)
{
	struct buf *b = &p->f[MAP_PASSWD].out;
	struct field rep[2];
	uint64_t val[2];
	size_t n = 0;
	struct line l;

	if (p->uid != p->old_uid)
		rep[n] = t->line.f[PW_UID], val[n++] = p->uid;
	if (p->gid != p->old_gid)
		rep[n] = t->line.f[PW_GID], val[n++] = p->gid;
	EACH_LINE(&p->f[MAP_PASSWD], l, PW_NFIELDS) {
		if (l.raw == t->before)
			put_line(b, &t->line, rep, val, n, NULL, true);
		if (l.raw == t->line.raw) {
			if (!t->before)
				put_line(b, &l, rep, val, n, NULL, false);
		} else if (t->renumber && has_id(&l, PW_GID, p->old_gid)) {
			uint64_t g = p->gid;

			put_line(b, &l, &l.f[PW_GID], &g, 1, NULL, false);
		} else {
			copy_line(b, &l);
		}
	}
}

/* /etc/group and /etc/gshadow: the private group renumbered, or the
 * template added to its old primary group's members (both files keep
 * members in their fourth field). */
static void plan_groups(struct mapplan *p, const char *name, const struct template *t,
                        struct mapfile *f)
{
	static const uint64_t append = APPEND;
	bool gshadow = f == &p->f[MAP_GSHADOW];
	struct line l;

	EACH_LINE(f, l, GR_NFIELDS) {
		if (!gshadow && t->renumber && l.raw == t->grp_own) {
			uint64_t g = p->gid;

			put_line(&f->out, &l, &l.f[GR_GID], &g, 1, NULL, false);
		} else if (t->join && (gshadow ? l.entry && same(l.f[GR_NAME], t->old_name) &&
		                                     !listed(l.f[GR_MEMBERS], name)
		                               : l.raw == t->grp_old)) {
			put_line(&f->out, &l, &l.f[GR_MEMBERS], &append, 1, name, false);
		} else {
			copy_line(&f->out, &l);
		}
	}
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
	struct template t = {0};
	struct buf why = {0};

	if (u == 0 || (u > MAP_ID_MAX && u != MAP_KEEP) || g == 0 || (g > MAP_ID_MAX && g != MAP_KEEP)) {
		buf_adds(&why, "uid and gid must be in range 1-2147483647");
		return fail(reason, &why);
	}
	if (number_like(name)) {
		buf_adds(&why, "the template must be an account's name");
		return fail(reason, &why);
	}
	p->uid = u;
	if (find_template(p, name, &t, reason))
		return -1;
	p->gid = g == MAP_KEEP ? p->old_gid : g;
	find_groups(p, name, &t);
	plan_passwd(p, &t);
	plan_groups(p, name, &t, &p->f[MAP_GROUP]);
	plan_groups(p, name, &t, &p->f[MAP_GSHADOW]);
	for (size_t i = 0; i < MAP_NFILES; i++) {
		struct mapfile *f = &p->f[i];

		if (f->out.failed || p->notice.failed) {
			*reason = NULL;
			return -1;
		}
		f->changed = f->data && (f->out.len != f->len ||
		                          (f->len && memcmp(f->out.s, f->data, f->len) != 0));
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
	struct mapfile *f = l->ctx;
	const char *s = f->changed ? f->out.s : f->data;
	size_t len = f->changed ? f->out.len : f->len;

	if (n > len - f->pos)
		n = len - f->pos;
	if (n)
		memcpy(dst, s + f->pos, n);
	f->pos += n;
	return (ssize_t)n;
}

static int planned_open(const struct dbfile *db, struct lines *l, const char **op)
{
	struct mapfile *f = db->ctx;

	(void)op;
	if (!f->data)
		return ENOENT;
	f->pos = 0;
	*l = (struct lines){.read = planned_read, .ctx = f,
	                    .size_hint = f->changed ? f->out.len : f->len};
	return 0;
}

struct dbfile map_dbfile(struct mapfile *f)
{
	return (struct dbfile){.path = f->path, .open = planned_open, .ctx = f};
}
