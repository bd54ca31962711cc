/* Linked into the sanitized gosu of `make test-sanitize` only (not into the
 * fuzzer, nor into the real binary). The e2e tests give gosu an exact
 * environment of their own, so ASAN_OPTIONS could not reach it: the
 * sanitizers' settings are compiled in instead. */
#include <sys/prctl.h>

/* The sanitizer runtimes look these names up: reserved, but theirs to ask. */
/* NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_suppressions(void);
int __lsan_is_turned_off(void);

/* A report exits 66, a status gosu never uses, so that a test that only
 * looks at the exit status still fails; the report itself goes to stderr,
 * which most tests compare word for word. */
const char *__asan_default_options(void)
{
	return "exitcode=66:detect_leaks=1:detect_stack_use_after_return=1:"
	       "check_initialization_order=1:strict_string_checks=1:"
	       "detect_invalid_pointer_pairs=1:print_suppressions=0";
}

const char *__ubsan_default_options(void)
{
	return "exitcode=66:print_stacktrace=1:halt_on_error=1";
}

/* LeakSanitizer stops the process with ptrace at exit. A process that is
 * not dumpable (a setuid or setgid copy, which gosu refuses to run as, or
 * one whose ids changed) cannot be traced, and LSan would fail with a
 * message of its own: there, no leak check. */
int __lsan_is_turned_off(void)
{
	return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1;
}

/* The one suppression, and why: the environment that env_with_home() builds
 * is handed to execve(); only when execve fails does gosu go on, and then
 * it prints the error and exits at once. The block is still in use until
 * that exit, but the optimiser no longer keeps a pointer to it after the
 * call, so LSan calls it lost. Nothing can repeat or grow there. */
const char *__lsan_default_suppressions(void)
{
	return "leak:env_with_home\n";
}
/* NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
