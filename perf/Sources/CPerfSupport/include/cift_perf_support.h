// The one thing the benchmarks need that Swift cannot emit: the CPU's hint for a
// turn of a spin loop. The gateway's own copy (cift_cpu_relax in CCiftSystem) is not
// part of a product, so the benchmark package keeps this one.
#ifndef CIFT_PERF_SUPPORT_H
#define CIFT_PERF_SUPPORT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>

/// `pause` on x86, `yield` on ARM: one turn of a busy-wait loop.
static inline void cift_perf_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/// Pins the calling thread to `cpu`, which need not be in the process's own mask: the
/// harness runs under `taskset -c 0` (its clients' CPU) and puts the floor's echo thread
/// on the servers' CPU, where the gateway and QuickFIX run. The kernel still refuses a
/// CPU outside the cgroup's cpuset, or an offline one. Returns 0 or an errno.
static inline int cift_perf_pin_current_thread(int cpu) {
#if defined(__linux__)
    if (cpu < 0 || cpu >= CPU_SETSIZE) return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
#else
    (void)cpu;
    return ENOSYS;
#endif
}

#endif
