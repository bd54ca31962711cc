#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capname.h"

long caps_call(long nr, struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3])
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};

	return syscall(nr, &hdr, data);
}

int caps_ambient(int op, uint64_t keep)
{
	/* RAISE returns 0, IS_SET 1 for a capability in the set. */
	for (int c = 0; c < 64; c++)
		if (keep & CAP_BIT(c) && prctl(PR_CAP_AMBIENT, op, c, 0, 0) != (op == PR_CAP_AMBIENT_IS_SET))
			return -1;
	return 0;
}

int caps_bound(uint64_t keep)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int c = 0, has;

	/* Up to the kernel's last capability, where reading fails with EINVAL
	 * (or the 64 that the capability sets can hold). */
	for (; c < 64 && (has = prctl(PR_CAPBSET_READ, c, 0, 0, 0)) >= 0; c++)
		if (has && !(keep & CAP_BIT(c))) {
			if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0))
				return errno;
			if (prctl(PR_CAPBSET_READ, c, 0, 0, 0))
				return EPERM; /* still there, or cannot tell */
		}
	if (c < 64 && (errno != EINVAL || c == 0))
		return errno;
	if (caps_call(SYS_capget, data))
		return errno;
	data[0].inheritable &= (uint32_t)keep;
	data[1].inheritable &= (uint32_t)(keep >> 32);
	return caps_call(SYS_capset, data) ? errno : 0;
}
