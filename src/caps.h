/* Capabilities kept through the switch (--keep-caps) and the bounding set
 * (--clear-bounding-set), behaviour.md §13: the system calls. */
#ifndef GOSU_CAPS_H
#define GOSU_CAPS_H

#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>

/* capget or capset (nr, from sys/syscall.h) of this process's sets, in the
 * 64-bit layout of version 3: the syscall's result. */
long caps_call(long nr, struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]);

/* The ambient set is what exec passes on to a program without file
 * capabilities as its permitted and effective sets. With
 * PR_CAP_AMBIENT_RAISE, raises each of keep (which must be permitted and
 * inheritable already) into it; with PR_CAP_AMBIENT_IS_SET, checks that
 * it holds each. 0 when done, or -1 (and errno when a call failed). */
int caps_ambient(int op, uint64_t keep);

/* Drops every capability not in keep from the bounding set, and from the
 * inheritable set (which a root command's exec adds to the bounding set),
 * then reads the bounding set back: 0 or an errno. */
int caps_bound(uint64_t keep);

#endif
