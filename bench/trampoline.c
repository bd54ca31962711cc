/* The floor for any exec-in-place tool: one more static execve and
 * nothing else. No tool that must exec its argument can do less. */
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	execv(argv[1], argv + 1);
	return 127;
}
