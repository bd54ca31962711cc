/* The kernel's own signal structures, for the system calls about signals
 * that gosu makes itself: libc's sigaction() brings a kilobyte of code
 * (locks, a return trampoline) for handlers that gosu never installs. */
#ifndef GOSU_KSIG_H
#define GOSU_KSIG_H

/* The kernel's signal set: 128 signals on MIPS, 64 elsewhere; libc's
 * sigfillset leaves out the real-time signals libc keeps for itself,
 * which COMMAND, built against another libc, may still be sent. */
#ifdef __mips__
#define KSIGSET_BYTES 16
#else
#define KSIGSET_BYTES 8
#endif

/* The kernel's struct sigaction, for SIG_IGN and SIG_DFL only: the
 * handler where the kernel has it (MIPS puts the flags first), then the
 * flags, the restorer where there is one, and the mask, which gosu
 * leaves zero or hands back as the kernel gave them. */
struct ksigaction {
#ifdef __mips__
	unsigned flags;
#endif
	void (*handler)(int);
	unsigned long rest[4];
};

/* rt_sigaction(2): 0, or -1 and errno. */
#define KSIGACTION(sig, act, old) syscall(SYS_rt_sigaction, (sig), (act), (old), KSIGSET_BYTES)

#endif
