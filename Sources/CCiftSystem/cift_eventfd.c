// eventfd(2). See include/cift_eventfd.h for the contract of each function.
#include "cift_eventfd.h"

#include <errno.h>
#include <stdint.h>

#if defined(__linux__)
#include <sys/eventfd.h>
#include <unistd.h>

int32_t cift_eventfd_create(void) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

int32_t cift_eventfd_signal(int32_t fd) {
    uint64_t one = 1;
    ssize_t written = write(fd, &one, sizeof(one));
    return written == (ssize_t)sizeof(one) ? 0 : -errno;
}

int32_t cift_eventfd_drain(int32_t fd) {
    uint64_t counter = 0;
    ssize_t got = read(fd, &counter, sizeof(counter));
    if (got == (ssize_t)sizeof(counter)) {
        return counter != 0 ? 1 : 0;
    }
    return errno == EAGAIN ? 0 : -errno;
}

#else

int32_t cift_eventfd_create(void) { return -ENOSYS; }
int32_t cift_eventfd_signal(int32_t fd) { (void)fd; return -ENOSYS; }
int32_t cift_eventfd_drain(int32_t fd) { (void)fd; return -ENOSYS; }

#endif
