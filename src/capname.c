#include "capname.h"
#include "str.h"

#include <string.h>

/* capabilities(7)'s names, by number, one string: no table of pointers. */
static const char names[] =
	"chown\0dac_override\0dac_read_search\0fowner\0fsetid\0kill\0setgid\0"
	"setuid\0setpcap\0linux_immutable\0net_bind_service\0net_broadcast\0"
	"net_admin\0net_raw\0ipc_lock\0ipc_owner\0sys_module\0sys_rawio\0"
	"sys_chroot\0sys_ptrace\0sys_pacct\0sys_admin\0sys_boot\0sys_nice\0"
	"sys_resource\0sys_time\0sys_tty_config\0mknod\0lease\0audit_write\0"
	"audit_control\0setfcap\0mac_override\0mac_admin\0syslog\0wake_alarm\0"
	"block_suspend\0audit_read\0perfmon\0bpf\0checkpoint_restore\0";

/* Those that amount to root: each gives a way to uid 0, to the kernel or
 * to every file. setfcap too: it writes file capabilities (cap_setuid+ep)
 * onto a program of one's own. */
#define REFUSED (CAP_BIT(0) | CAP_BIT(1) | CAP_BIT(2) | CAP_BIT(3) | CAP_BIT(6) | \
	CAP_BIT(7) | CAP_BIT(8) | CAP_BIT(9) | CAP_BIT(16) | CAP_BIT(17) | \
	CAP_BIT(19) | CAP_BIT(21) | CAP_BIT(22) | CAP_BIT(27) | CAP_BIT(31) | \
	CAP_BIT(32) | CAP_BIT(33) | CAP_BIT(38) | CAP_BIT(39))

/* Whether p[0..n) is the lowercase s in any case. */
static bool is(const char *p, size_t n, const char *s)
{
	for (; n; p++, n--, s++)
		if ((*p >= 'A' && *p <= 'Z' ? *p + 32 : *p) != *s)
			return false;
	return !*s;
}

/* The number of the capability named p[0..n), or -1. */
static int number(const char *p, size_t n)
{
	int c = 0;

	if (n > 4 && is(p, 4, "cap_"))
		p += 4, n -= 4;
	for (const char *s = names; *s; s += strlen(s) + 1, c++)
		if (is(p, n, s))
			return c;
	return -1;
}

int capname_parse(const char *list, uint64_t *set, struct buf *why)
{
	for (;;) {
		size_t n = (size_t)(str_find(list, ',') - list);
		int c = number(list, n);
		const char *wrong = c < 0 ? "not a capability"
		                  : (CAP_BIT(c) & REFUSED) ? "a capability that amounts to root"
		                  : (CAP_BIT(c) & *set) ? "named twice" : NULL;

		if (wrong) {
			buf_fmt(why, "--keep-caps: %q is %s", list, n, wrong);
			return -1;
		}
		*set |= CAP_BIT(c);
		if (!list[n])
			return 0;
		list += n + 1;
	}
}

void capname_add(struct buf *b, uint64_t set)
{
	const char *sep = "cap_";
	int c = 0;

	for (const char *s = names; *s; s += strlen(s) + 1, c++)
		if (set & CAP_BIT(c)) {
			buf_fmt(b, "%s%s", sep, s);
			sep = ",cap_";
		}
}

bool can_switch(const uid_t uid[3], uint64_t permitted)
{
	return !uid[0] || !uid[1] || !uid[2] ||
	       (permitted & (CAP_BIT(6) | CAP_BIT(7)));
}
