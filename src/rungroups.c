#include "rungroups.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Marks g in gone[] when the sorted set holds it. */
static void drop(const gid_t *set, bool *gone, size_t n, gid_t g)
{
	size_t lo = 0;

	while (n > lo) {
		size_t mid = lo + (n - lo) / 2;

		if (set[mid] == g) {
			gone[mid] = true;
			return;
		}
		if (set[mid] < g)
			lo = mid + 1;
		else
			n = mid;
	}
}

int add_runtime_groups(struct target *t, const gid_t *have, size_t nhave,
                       const struct target *self, gid_t rgid)
{
	size_t n = t->ngroups;
	bool *gone = malloc(nhave + 1);
	gid_t *g = gone ? realloc(t->groups, (n + nhave) * sizeof *g) : NULL;

	if (!g) {
		free(gone);
		return -ENOMEM;
	}
	t->groups = g;
	memset(gone, 0, nhave);
	for (size_t i = 0; i < n; i++)
		drop(have, gone, nhave, g[i]);
	for (size_t i = 0; i < self->ngroups; i++)
		drop(have, gone, nhave, self->groups[i]);
	for (size_t i = 0; i < nhave; i++)
		if (!gone[i] && have[i] != 0 && have[i] != rgid)
			g[n++] = have[i];
	free(gone);
	if (n > MAX_GROUPS)
		return -E2BIG;
	t->ngroups = n;
	return 0;
}
