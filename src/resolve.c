#include "resolve.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "errtext.h"
#include "scan.h"

/* Largest id a database field may hold: (uid_t)-1 means "no change". */
#define FILE_ID_MAX 4294967294
/* Largest id a spec may name without a matching entry (gosu's rule). */
#define SPEC_ID_MAX 2147483647
/* Numbers saturate here, past every valid id, so an overflowing number
 * can never compare equal to one. */
#define NUM_LIMIT ((int64_t)1 << 32)
/* How often a resolution is tried when a file changes while it is read. */
#define READ_TRIES 4

static bool field_eq(struct field a, struct field b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Go's Atoi grammar: an optional sign, then one or more ASCII digits. */
static bool parse_number(struct field f, int64_t *v)
{
	const char *p = f.p;
	size_t n = f.n;
	bool neg = false;
	int64_t m = 0;

	if (n > 0 && (*p == '+' || *p == '-')) {
		neg = *p == '-';
		p++, n--;
	}
	if (n == 0)
		return false;
	for (; n > 0; p++, n--) {
		if (*p < '0' || *p > '9')
			return false;
		if (m < NUM_LIMIT)
			m = m * 10 + (*p - '0');
	}
	if (m > NUM_LIMIT)
		m = NUM_LIMIT;
	*v = neg ? -m : m;
	return true;
}

bool parse_file_id(struct field f, uint32_t *id)
{
	int64_t v;

	if (!parse_number(f, &v) || v < 0 || v > FILE_ID_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

void split(const char *p, size_t n, struct field *f, size_t nf)
{
	for (size_t i = 0; i < nf; i++) {
		const char *colon = scan_byte(p, p + n, ':');
		size_t len = colon ? (size_t)(colon - p) : n;

		f[i] = (struct field){p, len};
		p += len + (colon != NULL);
		n -= len + (colon != NULL);
	}
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The next entry of a database, trimmed: 1, 0 at the end, or a negative
 * error. Blank lines, '#' comments and NIS compat lines ("+::::::",
 * "-app:...": include or exclude from NIS, not entries) are no entries. */
bool entry_of(const char *p, size_t n, struct field *line)
{
	while (n > 0 && is_space(*p))
		p++, n--;
	while (n > 0 && is_space(p[n - 1]))
		n--;
	*line = (struct field){p, n};
	return n > 0 && *p != '#' && *p != '+' && *p != '-';
}

static int next_entry(struct lines *l, struct field *line)
{
	const char *p;
	size_t n;
	int r;

	while ((r = lines_next(l, &p, &n)) > 0)
		if (entry_of(p, n, line))
			return 1;
	return r;
}

/* Whether an entry's first field is name: tells most lines apart before
 * they are split. */
static bool named(struct field line, struct field name)
{
	return line.n >= name.n && memcmp(line.p, name.p, name.n) == 0 &&
	       (line.n == name.n || line.p[name.n] == ':');
}

/* Looks for one name in the member lists of every line of /etc/group:
 * the search (scan.c) tries many places at once instead of splitting
 * each list at every ','. */
struct finder {
	struct field name;
	bool never; /* the name holds a ',': no list can name it */
};

static void finder_init(struct finder *f, struct field name)
{
	f->name = name;
	f->never = scan_byte(name.p, name.p + name.n, ',') != NULL;
}

/* The first place in [p, end) where f's (non-empty) name stands, or NULL. */
static const char *find(const struct finder *f, const char *p, const char *end)
{
	return scan_str(p, end, f->name.p, f->name.n);
}

/* Whether the ','-separated list names f's name as a whole member. */
static bool listed(struct field members, const struct finder *f)
{
	const char *p = members.p, *end = members.p + members.n;

	if (f->never)
		return false;
	for (; (p = find(f, p, end)); p++)
		if ((p == members.p || p[-1] == ',') && (p + f->name.n == end || p[f->name.n] == ','))
			return true;
	return false;
}

/* An ordered list of gids without duplicates; the hash set finds
 * duplicates in constant time, so 65536 memberships stay cheap. */
struct gidset {
	gid_t *list;
	size_t n, cap;
	uint32_t *slot; /* EMPTY_SLOT or a gid; valid gids never equal it */
	size_t nslots;  /* a power of two, at least 2n */
};

#define EMPTY_SLOT UINT32_MAX

static uint32_t *gidset_find(uint32_t *slot, size_t nslots, uint32_t g)
{
	size_t i = (size_t)(g * 2654435761u) & (nslots - 1); /* a 32-bit hash */

	while (slot[i] != EMPTY_SLOT && slot[i] != g)
		i = (i + 1) & (nslots - 1);
	return &slot[i];
}

/* 0, or -ENOMEM, or -E2BIG when a new gid would pass MAX_GROUPS. */
static int gidset_add(struct gidset *s, gid_t g)
{
	if (s->nslots && *gidset_find(s->slot, s->nslots, g) == g)
		return 0;
	if (s->n == MAX_GROUPS)
		return -E2BIG;
	if (2 * (s->n + 1) > s->nslots) {
		size_t nslots = s->nslots ? 2 * s->nslots : 16;
		uint32_t *slot = malloc(nslots * sizeof *slot);

		if (!slot)
			return -ENOMEM;
		memset(slot, 0xff, nslots * sizeof *slot);
		for (size_t i = 0; i < s->n; i++)
			*gidset_find(slot, nslots, s->list[i]) = s->list[i];
		free(s->slot);
		s->slot = slot;
		s->nslots = nslots;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		gid_t *list = realloc(s->list, cap * sizeof *list);

		if (!list)
			return -ENOMEM;
		s->list = list;
		s->cap = cap;
	}
	*gidset_find(s->slot, s->nslots, g) = g;
	s->list[s->n++] = g;
	return 0;
}

struct resolution {
	struct field user, group; /* the two parts of the spec */
	uid_t ruid;
	struct buf why; /* the reason, once something failed */
	const char *changed; /* the file that changed while it was read */

	bool matched; /* a passwd entry was found */
	char *name;   /* its name, which group memberships are listed by */
	size_t name_len; /* all of it: a name may hold a NUL byte */
	struct finder member; /* that name, in member lists */
	uid_t uid;
	gid_t gid;
	char *home;
	struct gidset groups;
};

static int fail_malformed(struct resolution *r, const char *path,
                          unsigned long lineno, struct field name,
                          const char *what, struct field value)
{
	buf_fmt(&r->why, "malformed entry %q at %s line %U: %s", name.p, name.n, path,
	        lineno, what);
	if (value.p)
		buf_fmt(&r->why, " %q is not a number in range 0-4294967294", value.p, value.n);
	return -1;
}

static int fail_range(struct resolution *r)
{
	buf_adds(&r->why, "uids and gids must be in range 0-2147483647");
	return -1;
}

/* "<op> <path>: <error>", as Go's os.PathError prints. */
static int fail_file(struct resolution *r, const char *op,
                     const char *path, int err)
{
	buf_fmt(&r->why, "%s %s: %e", op, path, err);
	return -1;
}

static int fail_nomem(struct resolution *r)
{
	buf_adderr(&r->why, ENOMEM);
	return -1;
}

static char *dup_field(struct field f)
{
	char *s = malloc(f.n + 1);

	if (s) {
		if (f.n)
			memcpy(s, f.p, f.n);
		s[f.n] = '\0';
	}
	return s;
}

static bool user_matches(const struct resolution *r, const struct field *e,
                         bool numeric, int64_t id)
{
	uint32_t uid;

	if (r->user.n == 0)
		return parse_file_id(e[PW_UID], &uid) && uid == r->ruid;
	if (numeric)
		return parse_file_id(e[PW_UID], &uid) && uid == id;
	return field_eq(e[PW_NAME], r->user);
}

static int take_user(struct resolution *r, const struct dbfile *db,
                     unsigned long lineno, const struct field *e)
{
	if (!parse_file_id(e[PW_UID], &r->uid))
		return fail_malformed(r, db->path, lineno, e[PW_NAME], "uid", e[PW_UID]);
	if (!parse_file_id(e[PW_GID], &r->gid))
		return fail_malformed(r, db->path, lineno, e[PW_NAME], "gid", e[PW_GID]);
	/* The environment cannot carry it, and cutting it short would
	 * silently give another directory. */
	if (scan_byte(e[PW_HOME].p, e[PW_HOME].p + e[PW_HOME].n, '\0'))
		return fail_malformed(r, db->path, lineno, e[PW_NAME],
		                      "home contains a NUL byte", (struct field){0});
	r->matched = true;
	r->name_len = e[PW_NAME].n;
	if (!(r->name = dup_field(e[PW_NAME])) || !(r->home = dup_field(e[PW_HOME])))
		return fail_nomem(r);
	return 0;
}

/* A part of the spec that no entry matched: a number stands for itself,
 * within gosu's range; a name is an error. */
static int unmatched(struct resolution *r, struct field part, bool numeric,
                     int64_t id, const char *what, const char *file, uint32_t *out)
{
	if (!numeric) {
		buf_fmt(&r->why, "unable to find %s %v: no matching entries in %s file", what,
		        part.p, part.n, file);
		return -1;
	}
	if (id < 0 || id > SPEC_ID_MAX)
		return fail_range(r);
	*out = (uint32_t)id;
	return 0;
}

static int fail_user_file(struct resolution *r, const char *op,
                          const char *path, int err)
{
	if (r->user.n)
		buf_fmt(&r->why, "unable to find user %v: ", r->user.p, r->user.n);
	else
		buf_fmt(&r->why, "unable to find user %u: ", r->ruid);
	return fail_file(r, op, path, err);
}

/* Closes a file. One that changed while it was read may have given lines
 * of two versions: then whatever was found or failed counts for nothing,
 * and r->changed asks for the whole resolution again. */
/* (Out of line: inlined twice, it costs more than the call.) */
static __attribute__((noinline)) int closed(struct resolution *r, const struct dbfile *db, struct lines *l, int err)
{
	if (!lines_close(l))
		return err;
	r->changed = db->path;
	return -1;
}

static int resolve_user(struct resolution *r, const struct dbfile *db)
{
	int64_t id = 0;
	bool numeric = parse_number(r->user, &id);
	struct field e[PW_NFIELDS];
	struct lines l;
	const char *op = "open";
	int err = db->open(db, &l, &op), found;

	if (err && err != ENOENT)
		return fail_user_file(r, op, db->path, err);
	if (!err) {
		struct field line;

		while ((found = next_entry(&l, &line)) > 0) {
			if (r->user.n && !numeric && !named(line, r->user))
				continue;
			split(line.p, line.n, e, PW_NFIELDS);
			if (user_matches(r, e, numeric, id))
				break;
		}
		if (found < 0)
			err = fail_user_file(r, "read", db->path, -found);
		else if (found > 0)
			err = take_user(r, db, l.lineno, e);
		if ((err = closed(r, db, &l, err)) || r->matched)
			return err;
	}
	if (r->user.n == 0)
		return 0;
	return unmatched(r, r->user, numeric, id, "user", "passwd", &r->uid);
}

static int fail_group_file(struct resolution *r, const char *op,
                           const char *path, int err)
{
	buf_fmt(&r->why, "unable to find groups for spec %v: ", r->name, r->name_len);
	return fail_file(r, op, path, err);
}

/* One entry of the group file: 1 when it decides the primary group or
 * adds a membership to the list, 0 when it is of no concern, or -1. */
static int group_entry(struct resolution *r, const struct dbfile *db,
                       unsigned long lineno, const struct field *e,
                       bool numeric, int64_t id)
{
	uint32_t gid;
	bool wanted;

	if (r->group.n == 0)
		wanted = listed(e[GR_MEMBERS], &r->member);
	else if (numeric)
		wanted = parse_file_id(e[GR_GID], &gid) && gid == id;
	else
		wanted = field_eq(e[GR_NAME], r->group);
	if (!wanted)
		return 0;
	if (!parse_file_id(e[GR_GID], &gid))
		return fail_malformed(r, db->path, lineno, e[GR_NAME], "gid", e[GR_GID]);
	if (r->group.n) {
		r->gid = gid;
		return 1;
	}
	switch (gidset_add(&r->groups, gid)) {
	case 0:
		return 1;
	case -E2BIG:
		buf_fmt(&r->why, "user %v is a member of more than 65536 groups", r->name, r->name_len);
		return -1;
	default:
		return fail_nomem(r);
	}
}

static int resolve_groups(struct resolution *r, const struct dbfile *db)
{
	int64_t id = 0;
	bool numeric = parse_number(r->group, &id);
	bool found = false;
	struct field e[GR_NFIELDS];
	struct lines l;
	const char *op = "open";
	int err, more = 0;

	if (r->group.n == 0 && (!r->matched || r->name_len == 0))
		return 0;
	if (r->group.n == 0)
		finder_init(&r->member, (struct field){r->name, r->name_len});
	if ((err = db->open(db, &l, &op)) && err != ENOENT)
		return fail_group_file(r, op, db->path, err);
	if (!err) {
		struct field line;

		while (!(r->group.n && found) && (more = next_entry(&l, &line)) > 0) {
			/* Most lines are told apart before they are split. */
			if (r->group.n ? !numeric && !named(line, r->group)
			               : !find(&r->member, line.p, line.p + line.n))
				continue;
			split(line.p, line.n, e, GR_NFIELDS);
			if ((err = group_entry(r, db, l.lineno, e, numeric, id)) < 0)
				break;
			found |= err > 0;
		}
		if (more < 0)
			err = fail_group_file(r, "read", db->path, -more);
		if ((err = closed(r, db, &l, err)) < 0)
			return err;
	}
	if (r->group.n == 0 || found)
		return 0;
	return unmatched(r, r->group, numeric, id, "group", "group", &r->gid);
}

int resolve(const char *spec, const struct dbfile *passwd,
            const struct dbfile *group, uid_t ruid, gid_t rgid,
            struct target *t, char **reason)
{
	int tries = 1;

again:;
	struct field parts[2] = {{0}}; /* split() fills both; gcc's analyzer cannot tell */
	struct resolution r = {.ruid = ruid, .uid = ruid, .gid = rgid};
	int err;

	split(spec, strlen(spec), parts, 2);
	r.user = parts[0];
	r.group = parts[1];
	err = resolve_user(&r, passwd);
	if (!err && r.group.n == 0)
		err = gidset_add(&r.groups, r.gid) ? fail_nomem(&r) : 0;
	if (!err)
		err = resolve_groups(&r, group);
	if (!err && r.group.n)
		err = gidset_add(&r.groups, r.gid) ? fail_nomem(&r) : 0;
	if (!err && !r.home && !(r.home = dup_field((struct field){"/", 1})))
		err = fail_nomem(&r);

	free(r.groups.slot);
	if (err) {
		free(r.name);
		free(r.home);
		free(r.groups.list);
		/* Bounded: a file that keeps changing is an error. */
		if (r.changed) {
			buf_free(&r.why);
			if (tries++ < READ_TRIES)
				goto again;
			fail_file(&r, "read", r.changed, ERR_CHANGED);
		}
		*reason = buf_str(&r.why);
		return -1;
	}
	*t = (struct target){
		.uid = r.uid, .gid = r.gid, .home = r.home,
		.groups = r.groups.list, .ngroups = r.groups.n,
		.name = r.name, .name_len = r.name_len,
	};
	return 0;
}

void target_free(struct target *t)
{
	free(t->groups);
	free(t->home);
	free(t->name);
	*t = (struct target){0};
}
