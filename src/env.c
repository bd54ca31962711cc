#include "env.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "str.h"

/* Whether entry is name=..., for name of len bytes. */
static bool is_entry(const char *entry, const char *name, size_t len)
{
	return str_after(entry, name, len) && entry[len] == '=';
}

char **env_set(char *const *env, const char *name, const char *value)
{
	size_t n = 0, k = 0, len = strlen(name);
	struct buf entry = {0};
	char **out;

	while (env[n])
		n++;
	buf_adds(&entry, name);
	buf_addc(&entry, '=');
	buf_adds(&entry, value);
	if (!(out = malloc((n + 2) * sizeof *out))) {
		buf_free(&entry);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!is_entry(env[i], name, len))
			out[k++] = env[i];
	if (!(out[k++] = buf_str(&entry))) {
		free(out);
		return NULL;
	}
	out[k] = NULL;
	return out;
}

const char *env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (; *env; env++)
		if (is_entry(*env, name, len))
			return *env + len + 1;
	return NULL;
}
