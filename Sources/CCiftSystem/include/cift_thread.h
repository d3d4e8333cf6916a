// Threads, CPU affinity and futexes: the few calls the Rings module cannot make
// from Swift. CPU_ZERO/CPU_SET/CPU_ISSET are macros and futex(2) has no libc
// wrapper, so they live here. The Swift door to these calls is
// Sources/Rings/ThreadPinning.swift, PinnedThread.swift and Futex.swift; call
// them from there, not directly.
//
// Conventions: functions return 0 (or a non-negative count) on success and a
// positive errno value on failure, never -1 with errno set, so that Swift does
// not have to read the thread-local errno after the call.
#ifndef CIFT_THREAD_H
#define CIFT_THREAD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The number of CPUs a cpu_set_t can describe (CPU_SETSIZE, 1024 on glibc).
/// Cores at or above it can never be pinned to.
int32_t cift_cpu_set_size(void);

/// Writes the CPUs this process was allowed to run on when it started (the
/// main thread's affinity captured by a load-time constructor, intersected by
/// the kernel with the online CPUs; `taskset` and cgroup cpusets restrict it)
/// into `cpus` in ascending order, at most `capacity` of them.
/// Returns how many there are (which may exceed `capacity`), or -errno.
/// Corresponds to sched_getaffinity(getpid()).
int32_t cift_process_allowed_cpus(int32_t *cpus, int32_t capacity);

/// The same for the calling thread's current affinity mask.
/// Corresponds to pthread_getaffinity_np(pthread_self()).
int32_t cift_thread_current_affinity(int32_t *cpus, int32_t capacity);

/// Restricts the calling thread to the single CPU `cpu`.
/// Returns 0, EINVAL (cpu out of range, offline, or outside the cpuset), or
/// another errno. Corresponds to CPU_ZERO + CPU_SET + pthread_setaffinity_np.
int32_t cift_thread_pin_current(int32_t cpu);

/// The CPU the calling thread is running on right now, or -errno.
/// Corresponds to sched_getcpu().
int32_t cift_thread_current_cpu(void);

/// Names the calling thread (Linux keeps 15 bytes plus the terminating NUL;
/// longer names give ERANGE). Returns 0 or errno.
/// Corresponds to pthread_setname_np(pthread_self(), name).
int32_t cift_thread_set_current_name(const char *name);

/// Sets the calling thread's timer slack (how late the kernel may fire its timed
/// waits, 50 µs by default) to `nanoseconds` (at least 1). Returns 0 or errno.
/// Corresponds to prctl(PR_SET_TIMERSLACK, nanoseconds).
int32_t cift_thread_set_timer_slack(uint64_t nanoseconds);

/// The calling thread's timer slack in nanoseconds (prctl(PR_GET_TIMERSLACK)), 0 when
/// it cannot be read.
uint64_t cift_thread_timer_slack(void);

/// Makes the calling thread run only when a core would otherwise idle: SCHED_IDLE,
/// or, where that is refused, the lowest nice value (19). Returns 0 (SCHED_IDLE),
/// 1 (nice 19) or errno. Corresponds to sched_setscheduler(0, SCHED_IDLE) and
/// setpriority(PRIO_PROCESS, gettid(), 19).
int32_t cift_thread_lower_to_idle_priority(void);

/// The calling thread's kernel id (gettid()), for cift_thread_restore_normal_priority.
int32_t cift_thread_current_id(void);

/// Gives thread `tid` of this process back the normal policy (SCHED_OTHER, nice 0), so
/// that a thread lowered to idle priority finishes promptly when it is asked to stop on
/// a busy machine. Returns 0 or errno.
int32_t cift_thread_restore_normal_priority(int32_t tid);

/// Copies the calling thread's name into `buffer` (NUL-terminated).
/// Returns 0 or errno. Corresponds to pthread_getname_np(pthread_self()).
int32_t cift_thread_get_current_name(char *buffer, int32_t capacity);

/// Sleeps while `*word == expected`, at most `timeout_ns` nanoseconds
/// (negative: no limit). Returns 0 when woken (possibly spuriously), EAGAIN
/// when `*word != expected` at the time of the call, ETIMEDOUT, EINTR, or
/// another errno for a programming error (EFAULT, EINVAL).
/// Corresponds to futex(word, FUTEX_WAIT_PRIVATE, expected, &relative_timeout).
int32_t cift_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns);

/// Wakes at most `count` threads sleeping in cift_futex_wait on `word`.
/// Returns how many were woken, or -errno.
/// Corresponds to futex(word, FUTEX_WAKE_PRIVATE, count).
int32_t cift_futex_wake(uint32_t *word, int32_t count);

/// A CPU hint for one turn of a spin loop: `pause` on x86 (lets the sibling
/// hyper-thread run and avoids the memory-order machine clear when the loop
/// exits), `yield` on ARM. Not a system call.
static inline void cift_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

#ifdef __cplusplus
}
#endif

#endif
