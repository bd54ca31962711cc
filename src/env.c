#include "env.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

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
		if (strncmp(env[i], name, len) != 0 || env[i][len] != '=')
			out[k++] = env[i];
	if (!(out[k++] = buf_str(&entry))) {
		free(out);
		return NULL;
	}
	out[k] = NULL;
	return out;
}
