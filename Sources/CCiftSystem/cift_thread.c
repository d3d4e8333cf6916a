// Threads, CPU affinity and futexes. See include/cift_thread.h for the contract
// of each function; every one returns a positive errno (or -errno for counts)
// instead of setting errno.
#define _GNU_SOURCE 1
#include "cift_thread.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

int32_t cift_cpu_set_size(void) {
#if defined(__linux__)
    return CPU_SETSIZE;
#else
    return 0;
#endif
}

#if defined(__linux__)

// The main thread's affinity when the process was loaded, before any thread
// could pin itself: this is "the cores the process may use". Written once by
// the constructor (single-threaded), read-only afterwards.
static cpu_set_t cift_initial_affinity;
static int cift_initial_affinity_valid;

__attribute__((constructor)) static void cift_capture_initial_affinity(void) {
    CPU_ZERO(&cift_initial_affinity);
    if (sched_getaffinity(0, sizeof(cift_initial_affinity), &cift_initial_affinity) == 0) {
        cift_initial_affinity_valid = 1;
    }
}

static int32_t cift_list_cpus(const cpu_set_t *set, int32_t *cpus, int32_t capacity) {
    int32_t count = 0;
    for (int32_t cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, set)) {
            if (count < capacity && cpus != NULL) {
                cpus[count] = cpu;
            }
            count++;
        }
    }
    return count;
}

int32_t cift_process_allowed_cpus(int32_t *cpus, int32_t capacity) {
    if (cift_initial_affinity_valid) {
        return cift_list_cpus(&cift_initial_affinity, cpus, capacity);
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(getpid(), sizeof(set), &set) != 0) {
        return -errno;
    }
    return cift_list_cpus(&set, cpus, capacity);
}

int32_t cift_thread_current_affinity(int32_t *cpus, int32_t capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    int result = pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
    if (result != 0) {
        return -result;
    }
    return cift_list_cpus(&set, cpus, capacity);
}

int32_t cift_thread_pin_current(int32_t cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return EINVAL;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int32_t cift_thread_current_cpu(void) {
    int cpu = sched_getcpu();
    return cpu >= 0 ? cpu : -errno;
}

int32_t cift_thread_set_current_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

int32_t cift_thread_set_timer_slack(uint64_t nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, (unsigned long)(nanoseconds == 0 ? 1 : nanoseconds), 0, 0, 0) == 0 ? 0 : errno;
}

uint64_t cift_thread_timer_slack(void) {
    int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    return slack < 0 ? 0 : (uint64_t)slack;
}

int32_t cift_thread_lower_to_idle_priority(void) {
    struct sched_param param;
    memset(&param, 0, sizeof(param));
    // On Linux, pid 0 names the calling thread, not the whole process.
    if (sched_setscheduler(0, SCHED_IDLE, &param) == 0) {
        return 0;
    }
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19) == 0 ? 1 : errno;
}

int32_t cift_thread_current_id(void) { return (int32_t)syscall(SYS_gettid); }

int32_t cift_thread_restore_normal_priority(int32_t tid) {
    struct sched_param param;
    memset(&param, 0, sizeof(param));
    if (sched_setscheduler((pid_t)tid, SCHED_OTHER, &param) != 0) {
        return errno;
    }
    // Raising a nice value back needs CAP_SYS_NICE (or RLIMIT_NICE); without it the
    // thread keeps nice 19, which still runs, only with a small share.
    (void)setpriority(PRIO_PROCESS, (id_t)tid, 0);
    return 0;
}

int32_t cift_thread_get_current_name(char *buffer, int32_t capacity) {
    if (capacity <= 0) {
        return ERANGE;
    }
    return pthread_getname_np(pthread_self(), buffer, (size_t)capacity);
}

int32_t cift_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns) {
    struct timespec timeout;
    struct timespec *timeout_pointer = NULL;
    if (timeout_ns >= 0) {
        timeout.tv_sec = (time_t)(timeout_ns / 1000000000);
        timeout.tv_nsec = (long)(timeout_ns % 1000000000);
        timeout_pointer = &timeout;
    }
    // FUTEX_WAIT's timeout is relative (CLOCK_MONOTONIC).
    long result = syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, timeout_pointer, NULL, 0);
    return result == 0 ? 0 : errno;
}

int32_t cift_futex_wake(uint32_t *word, int32_t count) {
    long result = syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
    return result >= 0 ? (int32_t)result : -errno;
}

#else  // Not Linux: no affinity and no futex. Enough to build and develop on;
       // the venue runs on Linux.

int32_t cift_process_allowed_cpus(int32_t *cpus, int32_t capacity) {
    (void)cpus;
    (void)capacity;
    return -ENOSYS;
}

int32_t cift_thread_current_affinity(int32_t *cpus, int32_t capacity) {
    (void)cpus;
    (void)capacity;
    return -ENOSYS;
}

int32_t cift_thread_pin_current(int32_t cpu) {
    (void)cpu;
    return ENOSYS;
}

int32_t cift_thread_current_cpu(void) { return -ENOSYS; }

int32_t cift_thread_set_timer_slack(uint64_t nanoseconds) {
    (void)nanoseconds;
    return ENOSYS;
}

uint64_t cift_thread_timer_slack(void) { return 0; }

int32_t cift_thread_lower_to_idle_priority(void) { return ENOSYS; }

int32_t cift_thread_current_id(void) { return 0; }

int32_t cift_thread_restore_normal_priority(int32_t tid) {
    (void)tid;
    return ENOSYS;
}

int32_t cift_thread_set_current_name(const char *name) {
#if defined(__APPLE__)
    return pthread_setname_np(name);
#else
    (void)name;
    return ENOSYS;
#endif
}

int32_t cift_thread_get_current_name(char *buffer, int32_t capacity) {
    if (capacity <= 0) {
        return ERANGE;
    }
    return pthread_getname_np(pthread_self(), buffer, (size_t)capacity);
}

// Without a futex the waiter sleeps in slices of at most 50 µs and reports a
// spurious wake-up (0) for a slice shorter than its timeout: the consumer
// re-polls its rings after every return, so no wake-up is lost, only late.
int32_t cift_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns) {
    if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != expected) {
        return EAGAIN;
    }
    int full = timeout_ns >= 0 && timeout_ns <= 50000;
    struct timespec duration = {0, (long)(full ? timeout_ns : 50000)};
    nanosleep(&duration, NULL);
    return full ? ETIMEDOUT : 0;
}

int32_t cift_futex_wake(uint32_t *word, int32_t count) {
    (void)word;
    (void)count;
    return 0;
}

#endif
