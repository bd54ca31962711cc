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
		const char *c2 = colon ? strchr(colon + 1, ':') : NULL;

		s->kind = SOURCE_ENV;
		if (!colon) {
			*s = (struct source){SOURCE_ENV, 0, MAP_KEEP, "USER_ID", "GROUP_ID", 7, 8, NULL};
			return 0;
		}
		s->uvar = colon + 1;
		s->ulen = c2 ? (size_t)(c2 - s->uvar) : strlen(s->uvar);
		if (c2)
			s->gvar = c2 + 1, s->glen = strlen(c2 + 1);
		if (s->ulen == 0 || (c2 && (!s->glen || strchr(s->gvar, ':'))))
			return bad(reason, text, "want env, env:UVAR or env:UVAR:GVAR");
		return 0;
	}
	s->kind = SOURCE_IDS;
	if (!target_id(text, first, &s->uid) ||
	    (colon && !target_id(colon + 1, strlen(colon + 1), &s->gid)))
		return bad(reason, text, "want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path");
	return 0;
}

const char *env_lookup(char *const *env, const char *name, size_t n)
{
	for (; *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
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
