// eventfd(2) for the Rings module's WakeSignal in eventfd mode: Glibc's Swift
// module does not export <sys/eventfd.h>. The Swift door to these calls is
// the EventFD enum in Sources/Rings/WakeSignal+EventFD.swift; call them from
// there, not directly.
//
// Conventions as in cift_thread.h: results are 0 or a non-negative value on
// success and a negative errno on failure, so that Swift does not have to
// read the thread-local errno after the call.
#ifndef CIFT_EVENTFD_H
#define CIFT_EVENTFD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Creates an eventfd whose counter starts at 0, non-blocking and
/// close-on-exec. Returns the descriptor, or -errno.
/// Corresponds to eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC).
int32_t cift_eventfd_create(void);

/// Adds 1 to the counter, which makes the descriptor readable. Returns 0, or
/// -errno (-EAGAIN only if the counter is already at its maximum, which
/// leaves it readable anyway). Corresponds to write(fd, &(uint64_t){1}, 8).
int32_t cift_eventfd_signal(int32_t fd);

/// Reads the counter and resets it to 0. Returns 1 when it was non-zero, 0
/// when it was already 0 (EAGAIN), or -errno.
/// Corresponds to read(fd, &counter, 8).
int32_t cift_eventfd_drain(int32_t fd);

#ifdef __cplusplus
}
#endif

#endif
