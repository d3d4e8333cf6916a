#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one door from the journal to the kernel.
///
/// Every system call the module makes goes through `SystemCall.run`: it
/// retries EINTR, traps on EBADF and EFAULT (a closed descriptor or a bad
/// pointer is a bug in this module, not a condition to handle), and throws
/// `JournalError.systemCall` naming the call, errno and the path involved.
/// `close` is the exception, see `SystemCall.close`.
enum SystemCall {
    /// Calls `body` until it returns something other than -1 with errno EINTR.
    /// `path` is evaluated only when the call fails.
    @inline(__always)
    static func run<Result: FixedWidthInteger>(
        _ call: StaticString,
        path: @autoclosure () -> String,
        _ body: () -> Result
    ) throws -> Result {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            try fail(call, errno: code, path: path())
        }
    }

    /// The same, except that failing with errno `tolerated` returns nil
    /// instead of throwing: EWOULDBLOCK for a lock that is taken, EEXIST for
    /// a directory that is already there.
    @inline(__always)
    static func run<Result: FixedWidthInteger>(
        _ call: StaticString,
        path: @autoclosure () -> String,
        tolerating tolerated: Int32,
        _ body: () -> Result
    ) throws -> Result? {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            if code == tolerated { return nil }
            try fail(call, errno: code, path: path())
        }
    }

    /// The same for calls that return a pointer and NULL on failure.
    @inline(__always)
    static func runReturningPointer<Pointer>(
        _ call: StaticString,
        path: @autoclosure () -> String,
        _ body: () -> Pointer?
    ) throws -> Pointer {
        while true {
            if let pointer = body() { return pointer }
            let code = errno
            if code == EINTR { continue }
            try fail(call, errno: code, path: path())
        }
    }

    /// close(2), once: on Linux the descriptor is released even when close
    /// reports EINTR, so retrying could close a descriptor another thread has
    /// just been given. EINTR therefore counts as success.
    static func close(_ descriptor: CInt, path: @autoclosure () -> String) throws {
        if systemClose(descriptor) == 0 { return }
        let code = errno
        if code == EINTR { return }
        try fail("close", errno: code, path: path())
    }

    private static func fail(_ call: StaticString, errno code: Int32, path: String) throws -> Never {
        if code == EBADF || code == EFAULT {
            preconditionFailure("\(call)(\(path)) failed with \(errnoDescription(code)): a bug in the journal")
        }
        throw JournalError.systemCall(call: "\(call)", errno: code, path: path)
    }
}

/// The C library's close, named apart from `FileDescriptor.close`.
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

/// The text of an errno value, e.g. "No space left on device".
func errnoDescription(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}
