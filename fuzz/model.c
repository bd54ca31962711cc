#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "errtext.h"
#include "lines.h" /* LINE_MAX_BYTES: the limit is part of the contract */

#define FILE_ID_MAX 4294967294u
#define SPEC_ID_MAX 2147483647u
#define GROUPS_MAX 65536u

struct text {
	const char *p;
	size_t n;
};

bool model_number(const char *p, size_t n, bool *fits_u32, uint32_t *value)
{
	bool negative = false;
	size_t i = 0, first;
	uint64_t v = 0;

	*fits_u32 = false;
	if (n > 0 && (p[0] == '+' || p[0] == '-')) {
		negative = p[0] == '-';
		i = 1;
	}
	if (i == n)
		return false;
	for (size_t k = i; k < n; k++)
		if (p[k] < '0' || p[k] > '9')
			return false;
	/* A number, as text: how large it is decides the rest. */
	while (i < n - 1 && p[i] == '0')
		i++;
	first = i;
	if (n - first > 10)
		return true;
	for (; i < n; i++)
		v = v * 10 + (uint64_t)(p[i] - '0');
	if (v > UINT32_MAX || (negative && v != 0))
		return true;
	*fits_u32 = true;
	*value = (uint32_t)v;
	return true;
}

static bool file_id(struct text t, uint32_t *id)
{
	bool fits;

	return model_number(t.p, t.n, &fits, id) && fits && *id <= FILE_ID_MAX;
}

static bool same(struct text a, struct text b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* A file, line by line, as §4 says: the whole of it is in memory. */
struct cursor {
	const struct model_file *f;
	size_t pos;
	unsigned long lineno;
};

static bool white(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* 1 and the fields of the next entry, 0 at the end, -1 for a line over
 * the limit. */
static int next(struct cursor *c, struct text *field, size_t nfields)
{
	while (c->pos < c->f->len) {
		const char *s = c->f->data + c->pos;
		size_t left = c->f->len - c->pos;
		const char *nl = memchr(s, '\n', left);
		size_t len = nl ? (size_t)(nl - s) : left;

		c->pos += nl ? len + 1 : len;
		c->lineno++;
		if (len > LINE_MAX_BYTES)
			return -1;
		while (len > 0 && white(s[0]))
			s++, len--;
		while (len > 0 && white(s[len - 1]))
			len--;
		/* '#' comments; '+' and '-' start NIS compat lines, never entries */
		if (len == 0 || s[0] == '#' || s[0] == '+' || s[0] == '-')
			continue;
		for (size_t i = 0; i < nfields; i++) {
			const char *colon = memchr(s, ':', len);
			size_t k = colon ? (size_t)(colon - s) : len;

			field[i] = (struct text){s, k};
			if (colon)
				k++;
			s += k;
			len -= k;
		}
		return 1;
	}
	return 0;
}

static void say_malformed(struct buf *b, const char *path, unsigned long line,
                          struct text name, const char *field, struct text value)
{
	buf_adds(b, "malformed entry ");
	buf_quote(b, name.p, name.n);
	buf_adds(b, " at ");
	buf_adds(b, path);
	buf_adds(b, " line ");
	buf_addu(b, line);
	buf_adds(b, ": ");
	buf_adds(b, field);
	if (value.p) {
		buf_adds(b, " ");
		buf_quote(b, value.p, value.n);
		buf_adds(b, " is not a number in range 0-4294967294");
	}
}

static void say_file(struct buf *b, const char *op, const char *path, int err)
{
	buf_adds(b, op);
	buf_adds(b, " ");
	buf_adds(b, path);
	buf_adds(b, ": ");
	buf_adderr(b, err);
}

struct pair {
	uint32_t gid;
	size_t at;
};

static int by_gid_then_place(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->gid != y->gid)
		return x->gid < y->gid ? -1 : 1;
	return (x->at > y->at) - (x->at < y->at);
}

/* Keeps the first of each gid, in order, by sorting: no hash set here. */
static size_t first_of_each(uint32_t *g, size_t n)
{
	struct pair *p = malloc((n ? n : 1) * sizeof *p);
	bool *keep = calloc(n ? n : 1, sizeof *keep);
	size_t k = 0;

	if (!p || !keep)
		abort();
	for (size_t i = 0; i < n; i++)
		p[i] = (struct pair){g[i], i};
	qsort(p, n, sizeof *p, by_gid_then_place);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || p[i].gid != p[i - 1].gid)
			keep[p[i].at] = true;
	for (size_t i = 0; i < n; i++)
		if (keep[i])
			g[k++] = g[i];
	free(p);
	free(keep);
	return k;
}

static bool is_member(struct text list, struct text name)
{
	size_t start = 0;

	if (list.n == 0)
		return false;
	for (size_t i = 0; i <= list.n; i++) {
		if (i == list.n || list.p[i] == ',') {
			if (same((struct text){list.p + start, i - start}, name))
				return true;
			start = i + 1;
		}
	}
	return false;
}

void model_resolve(const char *spec, const struct model_file *pw,
                   const struct model_file *gr, uint32_t ruid, uint32_t rgid,
                   struct model_result *out)
{
	struct text user = {spec, strcspn(spec, ":")}, group = {"", 0};
	struct text e[7], name = {"", 0};
	struct buf why = {0};
	struct cursor c = {pw, 0, 0};
	bool user_is_number, user_fits = false, group_is_number, group_fits = false;
	uint32_t user_id = 0, group_id = 0, id;
	int r = 0;

	*out = (struct model_result){.uid = ruid, .gid = rgid, .home = "/", .home_len = 1};
	if (spec[user.n] == ':')
		group = (struct text){spec + user.n + 1, strcspn(spec + user.n + 1, ":")};
	user_is_number = model_number(user.p, user.n, &user_fits, &user_id);
	group_is_number = model_number(group.p, group.n, &group_fits, &group_id);

	/* The user part: the passwd file is read whatever the spec. */
	if (pw->missing) {
		r = 0;
	} else if (pw->open_err) {
		r = -2;
	} else {
		while ((r = next(&c, e, 7)) > 0) {
			bool hit;

			if (user.n == 0)
				hit = file_id(e[2], &id) && id == ruid;
			else if (user_is_number)
				hit = user_fits && file_id(e[2], &id) && id == user_id;
			else
				hit = same(e[0], user);
			if (hit)
				break;
		}
	}
	if (r < 0) {
		buf_adds(&why, "unable to find user ");
		if (user.n)
			buf_escape(&why, user.p, user.n);
		else
			buf_addu(&why, ruid);
		buf_adds(&why, ": ");
		if (r == -2)
			say_file(&why, pw->open_op, pw->path, pw->open_err);
		else
			say_file(&why, "read", pw->path, ERR_LINE_TOO_LONG);
		goto fail;
	}
	if (r > 0) {
		out->matched = true;
		if (!file_id(e[2], &out->uid)) {
			say_malformed(&why, pw->path, c.lineno, e[0], "uid", e[2]);
			goto fail;
		}
		out->matched_uid_field_0 = out->uid == 0;
		if (!file_id(e[3], &out->gid)) {
			say_malformed(&why, pw->path, c.lineno, e[0], "gid", e[3]);
			goto fail;
		}
		if (memchr(e[5].p, '\0', e[5].n)) {
			say_malformed(&why, pw->path, c.lineno, e[0], "home contains a NUL byte",
			              (struct text){NULL, 0});
			goto fail;
		}
		name = e[0];
		out->home = e[5].p;
		out->home_len = e[5].n;
	} else if (user.n && !user_is_number) {
		buf_adds(&why, "unable to find user ");
		buf_escape(&why, user.p, user.n);
		buf_adds(&why, ": no matching entries in passwd file");
		goto fail;
	} else if (user.n) {
		if (!user_fits || user_id > SPEC_ID_MAX) {
			buf_adds(&why, "uids and gids must be in range 0-2147483647");
			goto fail;
		}
		out->uid = user_id;
	}

	/* The group part. Every gid the file gives is collected first, in
	 * order; the duplicates go afterwards. */
	size_t cap = 16, n = 0;
	uint32_t *g = malloc(cap * sizeof *g);

	if (!g)
		abort();
	out->groups = g;
	if (group.n == 0 && !(out->matched && name.n > 0)) {
		g[n++] = out->gid;
		out->ngroups = n;
		out->ok = true;
		return;
	}
	out->opened_group = true;
	c = (struct cursor){gr, 0, 0};
	r = 0;
	if (group.n == 0)
		g[n++] = out->gid;
	if (gr->open_err && !gr->missing) {
		r = -2;
	} else if (!gr->missing) {
		while ((r = next(&c, e, 4)) > 0) {
			bool hit;

			if (group.n == 0)
				hit = is_member(e[3], name);
			else if (group_is_number)
				hit = group_fits && file_id(e[2], &id) && id == group_id;
			else
				hit = same(e[0], group);
			if (!hit)
				continue;
			if (!file_id(e[2], &id)) {
				r = -3;
				break;
			}
			if (n == cap && !(out->groups = g = realloc(g, (cap *= 2) * sizeof *g)))
				abort();
			g[n++] = id;
			if (group.n)
				break;
		}
	}
	if (group.n == 0) {
		n = first_of_each(g, n);
		/* The list fills up before any later error in the file. */
		if (n > GROUPS_MAX) {
			buf_adds(&why, "user ");
			buf_escape(&why, name.p, name.n);
			buf_adds(&why, " is a member of more than 65536 groups");
			goto fail;
		}
	}
	if (r == -1 || r == -2) {
		buf_adds(&why, "unable to find groups for spec ");
		buf_escape(&why, name.p, name.n);
		buf_adds(&why, ": ");
		if (r == -2)
			say_file(&why, gr->open_op, gr->path, gr->open_err);
		else
			say_file(&why, "read", gr->path, ERR_LINE_TOO_LONG);
		goto fail;
	}
	if (r == -3) {
		say_malformed(&why, gr->path, c.lineno, e[0], "gid", e[2]);
		goto fail;
	}
	if (group.n && n == 0) {
		if (!group_is_number) {
			buf_adds(&why, "unable to find group ");
			buf_escape(&why, group.p, group.n);
			buf_adds(&why, ": no matching entries in group file");
			goto fail;
		}
		if (!group_fits || group_id > SPEC_ID_MAX) {
			buf_adds(&why, "uids and gids must be in range 0-2147483647");
			goto fail;
		}
		g[n++] = group_id;
	}
	if (group.n)
		out->gid = g[0];
	out->ngroups = n;
	out->ok = true;
	return;

fail:
	if (!(out->reason = buf_str(&why)))
		abort();
	out->ok = false;
}

void model_free(struct model_result *r)
{
	free(r->groups);
	free(r->reason);
	*r = (struct model_result){0};
}
