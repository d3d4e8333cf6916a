#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one door to the kernel (after SwiftNIO's `syscall(blocking:where:)`). Every
/// module's system calls go through these few functions, so that each kind of failure
/// is handled one way everywhere:
/// - EINTR is retried, except by ``wait(_:on:_:)``, where it ends the wait early (a
///   signal must not stretch a wait past its timeout);
/// - EAGAIN/EWOULDBLOCK is `nil` ("would block") for the calls that may block;
/// - EBADF and EFAULT trap, naming the call: they mean a descriptor or buffer of ours
///   is wrong, a bug, not a condition to handle;
/// - anything else throws ``SystemCallError`` naming the call, errno and its subject.
///
/// Call names are `StaticString`s and the subject an autoclosure, so the success path
/// builds no String and allocates nothing (the hot paths of the network loop and the
/// stores call through here).
///
/// A module whose functions throw their own error type passes it as `as:` (say
/// `as: NetworkError.self`): the failure arrives as that type's
/// ``SystemCallFailure/systemCall(_:)``, still carrying the one ``SystemCallError``.
public enum SystemCall {
    /// A libc call that returns -1 and sets errno. Returns the result.
    @inlinable @inline(__always)
    public static func run<R: FixedWidthInteger, E: SystemCallFailure>(
        _ call: StaticString, on subject: @autoclosure () -> String = "", as _: E.Type = SystemCallError.self,
        _ body: () -> R
    ) throws(E) -> R {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw E.systemCall(failure(call, code, subject()))
        }
    }

    /// The same, except that errno `tolerated` returns nil instead of throwing:
    /// EWOULDBLOCK for a lock another holds, EEXIST for a directory already there.
    @inlinable @inline(__always)
    public static func run<R: FixedWidthInteger, E: SystemCallFailure>(
        _ call: StaticString, on subject: @autoclosure () -> String = "", tolerating tolerated: Int32,
        as _: E.Type = SystemCallError.self, _ body: () -> R
    ) throws(E) -> R? {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            if code == tolerated { return nil }
            throw E.systemCall(failure(call, code, subject()))
        }
    }

    /// A libc call on a non-blocking descriptor (or with a timeout): nil when it would
    /// block (EAGAIN/EWOULDBLOCK).
    @inlinable @inline(__always)
    public static func nonBlocking<R: FixedWidthInteger, E: SystemCallFailure>(
        _ call: StaticString, on subject: @autoclosure () -> String = "", as _: E.Type = SystemCallError.self,
        _ body: () -> R
    ) throws(E) -> R? {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw E.systemCall(failure(call, code, subject()))
        }
    }

    /// A wait (epoll_wait, poll): EINTR returns 0 (nothing ready) instead of retrying.
    @inlinable @inline(__always)
    public static func wait<R: FixedWidthInteger, E: SystemCallFailure>(
        _ call: StaticString, on subject: @autoclosure () -> String = "", as _: E.Type = SystemCallError.self,
        _ body: () -> R
    ) throws(E) -> R {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { return 0 }
        throw E.systemCall(failure(call, code, subject()))
    }

    /// A call that returns -errno instead of setting errno (liburing, CCiftSystem's
    /// wrappers). Returns the non-negative result, or nil for an errno in `nilFor`
    /// (EAGAIN for a non-blocking call; liburing adds EBUSY and ETIME). EINTR is
    /// retried unless `nilFor` names it (a wait).
    @inlinable @inline(__always)
    public static func negatedErrno<R: FixedWidthInteger & SignedInteger, E: SystemCallFailure>(
        _ call: StaticString, on subject: @autoclosure () -> String = "", nilFor: NilErrnos = .none,
        as _: E.Type = SystemCallError.self, _ body: () -> R
    ) throws(E) -> R? {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Int32(truncatingIfNeeded: -result)
            if nilFor.contains(code) { return nil }
            if code == EINTR { continue }
            throw E.systemCall(failure(call, code, subject()))
        }
    }

    /// Which errnos a ``negatedErrno(_:on:nilFor:_:)`` call answers with nil.
    public struct NilErrnos: Sendable {
        @usableFromInline let codes: (Int32, Int32, Int32, Int32)

        @inlinable init(_ a: Int32 = 0, _ b: Int32 = 0, _ c: Int32 = 0, _ d: Int32 = 0) { codes = (a, b, c, d) }

        /// Every failure throws.
        public static let none = NilErrnos()
        /// EAGAIN/EWOULDBLOCK: a non-blocking call that would block.
        public static let wouldBlock = NilErrnos(EAGAIN, EWOULDBLOCK)
        /// liburing: EAGAIN, EBUSY (drain the completion queue first), ETIME (a wait's
        /// timeout passed).
        public static let ring = NilErrnos(EAGAIN, EBUSY, ETIME)
        /// A liburing wait: the same, and EINTR (a signal ends the wait).
        public static let ringWait = NilErrnos(EAGAIN, EBUSY, ETIME, EINTR)

        @inlinable func contains(_ code: Int32) -> Bool {
            code != 0 && (code == codes.0 || code == codes.1 || code == codes.2 || code == codes.3)
        }
    }

    /// A call that returns a pointer, NULL with errno on failure.
    @inlinable
    public static func runReturningPointer<Pointer, E: SystemCallFailure>(
        _ call: StaticString, on subject: @autoclosure () -> String = "", as _: E.Type = SystemCallError.self,
        _ body: () -> Pointer?
    ) throws(E) -> Pointer {
        while true {
            if let pointer = body() { return pointer }
            let code = errno
            if code == EINTR { continue }
            throw E.systemCall(failure(call, code, subject()))
        }
    }

    /// close(2), once: Linux releases the descriptor even when close reports EINTR, so a
    /// retry could close a descriptor another thread has just been given. EINTR counts
    /// as success; EBADF traps (closing twice is a bug); anything else (an NFS write-back
    /// error) throws.
    public static func close(_ descriptor: CInt, on subject: @autoclosure () -> String = "") throws(SystemCallError) {
        if systemClose(descriptor) == 0 { return }
        let code = errno
        if code == EINTR { return }
        throw failure("close", code, subject())
    }

    /// close(2) where a failure changes nothing (a socket, a descriptor on an error
    /// path): the descriptor is released either way. EBADF still traps.
    public static func release(_ descriptor: CInt) {
        if systemClose(descriptor) != 0 && errno == EBADF {
            preconditionFailure("close(\(descriptor)) failed with \(errnoDescription(EBADF)): closed twice")
        }
    }

    /// The error for a failed call; traps for EBADF and EFAULT (see the type's comment).
    @usableFromInline
    static func failure(_ call: StaticString, _ code: Int32, _ subject: String) -> SystemCallError {
        if code == EBADF || code == EFAULT {
            let what = subject.isEmpty ? "\(call)" : "\(call)(\(subject))"
            preconditionFailure("\(what) failed with \(errnoDescription(code)): a descriptor or buffer of ours is wrong")
        }
        return SystemCallError(call: "\(call)", errno: code, subject: subject)
    }

    /// The error for `call` having failed with `code`, where the caller reads errno
    /// itself (a send whose failures the caller sorts). Traps like the others.
    public static func error(_ call: StaticString, errno code: Int32, on subject: String = "") -> SystemCallError {
        failure(call, code, subject)
    }
}

/// An error type that can carry a ``SystemCallError``: an enum with a case
/// `systemCall(SystemCallError)` conforms as it is (the case is the requirement).
public protocol SystemCallFailure: Error {
    static func systemCall(_ error: SystemCallError) -> Self
}

extension SystemCallError: SystemCallFailure {
    /// The error itself, for calls that throw POSIX's own type.
    public static func systemCall(_ error: SystemCallError) -> SystemCallError { error }
}

extension SystemCall {
    /// Runs `body`'s POSIX calls (``FileDescriptor``, ``FileSystem``), a failure as
    /// `E.systemCall`: for a module whose functions throw their own error type. (`body`
    /// is untyped only because Swift does not infer a closure's thrown type; what
    /// POSIX throws is always a ``SystemCallError``.)
    @inlinable @inline(__always) @discardableResult
    public static func reporting<E: SystemCallFailure, R>(as _: E.Type, _ body: () throws -> R) throws(E) -> R {
        do {
            return try body()
        } catch let error as SystemCallError {
            throw E.systemCall(error)
        } catch {
            preconditionFailure("a POSIX call threw \(error), not a SystemCallError")
        }
    }
}

/// The C library's close, named apart from `SystemCall.close`.
@inline(__always)
private func systemClose(_ descriptor: CInt) -> CInt {
    #if canImport(Glibc)
    return Glibc.close(descriptor)
    #elseif canImport(Musl)
    return Musl.close(descriptor)
    #else
    return Darwin.close(descriptor)
    #endif
}
