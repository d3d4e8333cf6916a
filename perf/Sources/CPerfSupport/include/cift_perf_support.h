// The one thing the benchmarks need that Swift cannot emit: the CPU's hint for a
// turn of a spin loop. The gateway's own copy (cift_cpu_relax in CCiftSystem) is not
// part of a product, so the benchmark package keeps this one.
#ifndef CIFT_PERF_SUPPORT_H
#define CIFT_PERF_SUPPORT_H

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

#endif
