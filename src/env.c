#include "env.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

char **env_with_home(char *const *env, const char *home)
{
	size_t n = 0, k = 0;
	struct buf entry = {0};
	char **out;

	while (env[n])
		n++;
	buf_adds(&entry, "HOME=");
	buf_adds(&entry, home);
	if (!(out = malloc((n + 2) * sizeof *out))) {
		buf_free(&entry);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], "HOME=", 5) != 0)
			out[k++] = env[i];
	if (!(out[k++] = buf_str(&entry))) {
		free(out);
		return NULL;
	}
	out[k] = NULL;
	return out;
}
