// Socket calls. See include/cift_net.h for the contract of each function.
#define _GNU_SOURCE 1
#include "cift_net.h"

#include <errno.h>
#include <stddef.h>

#if defined(__linux__)
#include <sys/socket.h>

int32_t cift_accept_nonblocking(int32_t listener) {
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

#else

int32_t cift_accept_nonblocking(int32_t listener) { (void)listener; return -ENOSYS; }

#endif
