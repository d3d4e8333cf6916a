// Socket calls the Network module cannot make from Swift: accept4(2) is
// declared only under _GNU_SOURCE, which the Glibc module is not built with
// (and which the CLiburing shim cannot define before Glibc's headers; see
// shared/notes-linux.md). The Swift door is SystemCall in Sources/Network;
// call this from there.
//
// Conventions as in cift_thread.h: a non-negative result on success, -errno
// on failure.
#ifndef CIFT_NET_H
#define CIFT_NET_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Accepts a connection on `listener` as a non-blocking, close-on-exec
/// socket. Returns the socket, or -errno (-EAGAIN when none is waiting on a
/// non-blocking listener).
/// Corresponds to accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC).
int32_t cift_accept_nonblocking(int32_t listener);

#ifdef __cplusplus
}
#endif

#endif
