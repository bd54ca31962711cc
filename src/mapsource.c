#include "mapsource.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mapplan.h"

bool target_id(const char *p, size_t n, uint32_t *id)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (; n > 0; p++, n--) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > MAP_ID_MAX)
			return false;
	}
	*id = (uint32_t)v;
	return v != 0;
}

static char *dup_part(const char *p, size_t n)
{
	struct buf b = {0};

	buf_add(&b, p, n);
	return buf_str(&b);
}

static int bad(char **reason, const char *text, const char *why)
{
	struct buf b = {0};

	buf_quote(&b, text, strlen(text));
	buf_adds(&b, ": ");
	buf_adds(&b, why);
	*reason = buf_str(&b);
	return -1;
}

int source_parse(const char *text, struct source *s, char **reason)
{
	const char *colon = strchr(text, ':');
	size_t first = colon ? (size_t)(colon - text) : strlen(text);

	*s = (struct source){.gid = MAP_KEEP};
	if (text[0] == '/') {
		s->kind = SOURCE_PATH;
		s->path = text;
		return 0;
	}
	if (first == 3 && !strncmp(text, "env", 3)) {
		const char *u = colon ? colon + 1 : "USER_ID";
		const char *c2 = colon ? strchr(u, ':') : NULL;
		size_t un = c2 ? (size_t)(c2 - u) : strlen(u);

		s->kind = SOURCE_ENV;
		if (un == 0 || (c2 && !c2[1]) || (c2 && strchr(c2 + 1, ':')))
			return bad(reason, text, "want env, env:UVAR or env:UVAR:GVAR");
		s->uvar = dup_part(u, un);
		if (c2)
			s->gvar = dup_part(c2 + 1, strlen(c2 + 1));
		else if (!colon)
			s->gvar = dup_part("GROUP_ID", 8);
		if (!s->uvar || (!s->gvar && (c2 || !colon))) {
			source_free(s);
			*reason = NULL;
			return -1;
		}
		return 0;
	}
	s->kind = SOURCE_IDS;
	if (!target_id(text, first, &s->uid) ||
	    (colon && !target_id(colon + 1, strlen(colon + 1), &s->gid)))
		return bad(reason, text, "want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path");
	return 0;
}

void source_free(struct source *s)
{
	free(s->uvar);
	free(s->gvar);
	s->uvar = s->gvar = NULL;
}

/* The next space-separated number of [*p, end), saturating past 2^32. */
static bool number(const char **p, const char *end, uint64_t *v)
{
	const char *start;

	while (*p < end && (**p == ' ' || **p == '\t'))
		++*p;
	start = *p;
	for (*v = 0; *p < end && **p >= '0' && **p <= '9'; ++*p)
		if ((*v = *v * 10 + (uint64_t)(**p - '0')) > ((uint64_t)1 << 33))
			*v = (uint64_t)1 << 33;
	return *p > start;
}

bool id_mapped(const char *map, size_t len, uint32_t id)
{
	const char *p = map, *end = map + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		uint64_t inside, outside, count;

		if (number(&p, stop, &inside) && number(&p, stop, &outside) &&
		    number(&p, stop, &count) && id >= inside && id - inside < count)
			return true;
		p = stop + 1;
	}
	return false;
}

const char *mount_type(const char *info, size_t len, uint64_t id, size_t *n)
{
	const char *p = info, *end = info + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end, *q = p;
		uint64_t v;

		if (number(&q, stop, &v) && v == id) {
			/* The optional fields end at a lone "-"; the type follows. */
			for (; q + 3 <= stop; q++)
				if (q[0] == ' ' && q[1] == '-' && q[2] == ' ') {
					const char *type = q + 3, *t = type;

					while (t < stop && *t != ' ')
						t++;
					*n = (size_t)(t - type);
					return type;
				}
		}
		p = stop + 1;
	}
	return NULL;
}
