#if canImport(Glibc)
import Glibc
#endif

/// The Network module's one door to the kernel (style point 1). Every socket,
/// epoll, io_uring and descriptor call goes through here:
/// - EINTR is retried (except in waits, where it is an ordinary return);
/// - EAGAIN/EWOULDBLOCK become `nil`, "would block", for the calls that may
///   block; liburing's -ETIME and -EBUSY likewise;
/// - EBADF and EFAULT trap, naming the call: they mean a descriptor or buffer
///   of ours is wrong, which is a bug, not a condition to handle;
/// - any other failure throws `NetworkError.systemCall` naming the call and
///   the errno.
/// The call names are `StaticString`s, so the success path builds no String.
enum SystemCall {
    /// A libc call that returns -1 and sets errno. Returns the result, which
    /// is never negative.
    @inline(__always)
    static func posix(_ name: StaticString, _ call: () -> Int) throws(NetworkError) -> Int {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw failure(name, code)
        }
    }

    /// A libc call on a non-blocking descriptor: `nil` when it would block.
    @inline(__always)
    static func posixNonBlocking(_ name: StaticString, _ call: () -> Int) throws(NetworkError) -> Int? {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw failure(name, code)
        }
    }

    /// A CCiftSystem call that returns -errno, on a non-blocking descriptor:
    /// `nil` when it would block.
    @inline(__always)
    static func negatedErrnoNonBlocking(_ name: StaticString, _ call: () -> Int) throws(NetworkError) -> Int? {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = Int32(truncatingIfNeeded: -result)
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw failure(name, code)
        }
    }

    /// A wait (epoll_wait): EINTR returns 0 events instead of retrying, so a
    /// signal does not stretch the wait past its timeout.
    @inline(__always)
    static func posixWait(_ name: StaticString, _ call: () -> Int) throws(NetworkError) -> Int {
        let result = call()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR { return 0 }
        throw failure(name, code)
    }

    /// A liburing call that returns -errno. Returns the (non-negative) result,
    /// or `nil` for -EAGAIN, -EBUSY (the completion queue must be drained
    /// first) and -ETIME (a wait's timeout passed). `retryInterrupted: false`
    /// returns `nil` for -EINTR too (waits).
    @inline(__always)
    static func liburing(_ name: StaticString, retryInterrupted: Bool = true, _ call: () -> Int32) throws(NetworkError) -> Int32? {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = -result
            if code == EINTR {
                if retryInterrupted { continue }
                return nil
            }
            if code == EAGAIN || code == EBUSY || code == ETIME { return nil }
            throw failure(name, code)
        }
    }

    /// close(2). Not retried on EINTR: Linux has closed the descriptor anyway.
    static func close(_ descriptor: Int32) {
        if Glibc.close(descriptor) != 0 {
            let code = errno
            if code == EBADF {
                fatalError("close(\(descriptor)) failed: errno \(code) (\(String(cString: strerror(code))))")
            }
        }
    }

    static func failure(_ name: StaticString, _ code: Int32) -> NetworkError {
        if code == EBADF || code == EFAULT {
            fatalError("\(name) failed: errno \(code) (\(String(cString: strerror(code)))); a descriptor or buffer of the network loop is wrong")
        }
        return .systemCall(call: "\(name)", errno: code)
    }
}
