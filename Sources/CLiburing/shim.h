// The C surface of the Network module: liburing 2.3 (Debian 12's liburing-dev)
// and the socket, epoll and eventfd headers it is used with.
//
// liburing.h defines _GNU_SOURCE and _XOPEN_SOURCE. If Glibc's own headers are
// first pulled in after it (by another module), their definitions differ and
// the build fails with "'__fds_bits' from module 'SwiftGlibc' is not present
// in definition of 'fd_set'". So every Glibc header the Network module touches
// is included here, before liburing.h (shared/notes-linux.md).
//
// Macros built from enum constants do not import into Swift: the IOSQE_*
// flags are rebuilt from the IOSQE_*_BIT constants in
// Sources/Network/IOUringConstants.swift.
#ifndef CIFT_CLIBURING_SHIM_H
#define CIFT_CLIBURING_SHIM_H

#include <stdlib.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/epoll.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>

#include <liburing.h>

#endif
