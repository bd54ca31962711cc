#include "setid.h"

#include <stdbool.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

const char *setid_install(void)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	struct stat st;
	/* Without /proc the ids and AT_SECURE below still tell. */
	bool have_mode = stat("/proc/self/exe", &st) == 0;

	/* Failing closed: ids that cannot be read are not trusted. */
	if (getresuid(&ruid, &euid, &suid) || ruid != euid ||
	    (have_mode && (st.st_mode & S_ISUID)))
		return "setuid";
	if (getresgid(&rgid, &egid, &sgid) || rgid != egid ||
	    (have_mode && (st.st_mode & S_ISGID)))
		return "setgid";
	/* Set by the kernel for file capabilities too, and by LSMs. */
	if (getauxval(AT_SECURE))
		return "setuid";
	return NULL;
}
