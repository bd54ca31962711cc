#include "mapsource.h"

#include <string.h>

#include "mapplan.h"
#include "str.h"

bool scan_number(const char **p, const char *end, uint64_t *v)
{
	const char *start;

	while (*p < end && (**p == ' ' || **p == '\n'))
		++*p;
	start = *p;
	for (*v = 0; *p < end && **p >= '0' && **p <= '9'; ++*p)
		if ((*v = *v * 10 + (uint64_t)(**p - '0')) > ((uint64_t)1 << 33))
			*v = (uint64_t)1 << 33;
	return *p > start;
}

bool target_id(const char *p, size_t n, uint32_t *id)
{
	uint64_t v = 0;

	for (size_t k = 0; k < n; k++)
		if (p[k] < '0' || p[k] > '9' || (v = v * 10 + (uint64_t)(p[k] - '0')) > MAP_ID_MAX)
			return false;
	*id = (uint32_t)v;
	return v != 0;
}

bool id_mapped(const char *map, size_t len, uint32_t id)
{
	const char *p = map, *end = map + len;
	uint64_t inside, outside, count;

	/* Lines of three numbers each: "inside outside count". */
	while (scan_number(&p, end, &inside) && scan_number(&p, end, &outside) &&
	       scan_number(&p, end, &count))
		if (id >= inside && id - inside < count)
			return true;
	return false;
}

bool on_devtmpfs(const char *info, size_t len, uint64_t id)
{
	/* The optional fields end at a lone "-", the type follows; the
	 * kernel writes a space in a path as \040, so " - " is found only
	 * there. */
	static const char type[] = " - devtmpfs ";
	const char *p = info, *end = info + len;
	uint64_t v;

	/* Each line starts with its mount id. */
	while (scan_number(&p, end, &v))
		for (; p < end && *p != '\n'; p++)
			if (v == id && (size_t)(end - p) >= sizeof type - 1 && !memcmp(p, type, sizeof type - 1))
				return true;
	return false;
}

/* The value of the variable name[0..n) in env, NULL when it is unset or
 * empty. */
static const char *env_lookup(char *const *env, const char *name, size_t n)
{
	for (; *env; env++)
		if (str_after(*env, name, n) && (*env)[n] == '=')
			return (*env)[n + 1] ? *env + n + 1 : NULL;
	return NULL;
}

/* The id a variable holds, or false with the reason in *why. */
static bool env_id(const char *name, size_t n, const char *value, uint32_t *id, struct buf *why)
{
	size_t len = strlen(value);

	if (target_id(value, len, id))
		return true;
	buf_fmt(why, "--map-ids: %b=%q is not an id in range 1-2147483647", name, n, value, len);
	return false;
}

int source_ids(const char *text, char *const *env, uint32_t id[2], struct buf *note,
               struct buf *why)
{
	/* env alone names the classic entrypoint's variables. */
	const char *s = !str_after(text, "env", 3) || (text[3] && text[3] != ':') ? text :
	                text[3] ? text + 4 : "USER_ID:GROUP_ID";
	const char *c = str_find(s, ':'), *g = c + !!*c, *uv, *gv;
	size_t un = (size_t)(c - s), gn = strlen(g);

	id[0] = id[1] = MAP_KEEP;
	if (text[0] == '/')
		return SOURCE_PATH;
	if (s == text) { /* UID[:GID] */
		if (target_id(s, un, &id[0]) && (!*c || target_id(g, gn, &id[1])))
			return SOURCE_IDS;
	} else if (un && (!*c || (gn && !*str_find(g, ':')))) {
		uv = env_lookup(env, s, un);
		gv = gn ? env_lookup(env, g, gn) : NULL;
		if (!uv) {
			if (gv)
				buf_fmt(note, "warning: --map-ids: %b is set but %b is not: no ids are mapped",
				        g, gn, s, un);
			return SOURCE_NONE;
		}
		return env_id(s, un, uv, &id[0], why) && (!gv || env_id(g, gn, gv, &id[1], why)) ?
		       SOURCE_IDS : -1;
	}
	buf_fmt(why, "--map-ids: %q: want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path",
	        text, strlen(text));
	return -1;
}
