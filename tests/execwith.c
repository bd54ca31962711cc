/* execwith [-0] [-e ENTRY]... -- PATH [ARG...]
 * Runs PATH with exactly the given environment entries (duplicates and all)
 * and ARGs as its whole argv; with -0, with no argv at all (argc 0).
 * Python cannot make either. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char **env = calloc((size_t)argc, sizeof *env), *none[] = {NULL};
	int i = 1, n = 0, no_argv = 0;

	if (!env)
		return 2;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-0"))
			no_argv = 1;
		else if (!strcmp(argv[i], "-e") && i + 1 < argc)
			env[n++] = argv[++i];
		else
			return fprintf(stderr, "execwith: bad argument %s\n", argv[i]), 2;
	}
	if (i + 1 >= argc)
		return fprintf(stderr, "execwith: no command\n"), 2;
	execve(argv[i + 1], no_argv ? none : argv + i + 1, env);
	perror("execwith");
	return 2;
}
