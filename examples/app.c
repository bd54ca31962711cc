/* A stand-in for your application in the scratch example: a static program
 * that says who it runs as. (musl-gcc -static -Os -o app app.c) */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	gid_t groups[64];
	int n = getgroups(64, groups);
	const char *home = getenv("HOME");

	printf("uid=%u gid=%u groups=", (unsigned)getuid(), (unsigned)getgid());
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned)groups[i]);
	printf(" home=%s\n", home ? home : "(unset)");
	return 0;
}
