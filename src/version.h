/* The version line: "<version> (<compiler> on linux/<arch>; <libc>)". */
#ifndef GOSU_VERSION_H
#define GOSU_VERSION_H

#include <features.h> /* defines __GLIBC__ on glibc; musl has no such macro */

#define GOSU_VERSION "0.1.0"

#define STR_(x) #x
#define STR(x) STR_(x)

#if defined(__clang__)
#define COMPILER "clang " STR(__clang_major__) "." STR(__clang_minor__) "." STR(__clang_patchlevel__)
#elif defined(__GNUC__)
#define COMPILER "gcc " STR(__GNUC__) "." STR(__GNUC_MINOR__) "." STR(__GNUC_PATCHLEVEL__)
#else
#define COMPILER "cc"
#endif

/* gosu's (Debian's) architecture names. */
#if defined(__x86_64__)
#define ARCH "amd64"
#elif defined(__i386__)
#define ARCH "i386"
#elif defined(__aarch64__)
#define ARCH "arm64"
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
#define ARCH "armhf"
#elif defined(__arm__)
#define ARCH "armel"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARCH "ppc64el"
#elif defined(__s390x__)
#define ARCH "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH "riscv64"
#elif defined(__mips__) && defined(__mips64) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARCH "mips64el"
#elif defined(__loongarch64)
#define ARCH "loong64"
#else
#error "unknown architecture: add its Debian name here"
#endif

#if defined(__GLIBC__)
#define LIBC "glibc"
#else
#define LIBC "musl"
#endif

#define VERSION_LINE GOSU_VERSION " (" COMPILER " on linux/" ARCH "; " LIBC ")"

#endif
