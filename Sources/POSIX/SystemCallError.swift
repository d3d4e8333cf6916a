#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call that failed: which call, errno, and what it was working on (a file's
/// path, an address, what a socket is for; empty when the call names it already).
/// The one error the kernel's answers become, whatever module made the call; a
/// module's own error type wraps it where the module adds something to say.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call, with detail where one function makes it several ways
    /// (`setsockopt(TCP_NODELAY)`).
    public let call: String
    public let errno: Int32
    /// The file, address or purpose; "" when there is nothing to add.
    public let subject: String

    public init(call: String, errno: Int32, subject: String = "") {
        self.call = call
        self.errno = errno
        self.subject = subject
    }

    /// `pwrite(/var/cift/journal/00000001.log) failed: No space left on device (errno 28)`.
    public var description: String {
        let what = subject.isEmpty ? call : "\(call)(\(subject))"
        return "\(what) failed: \(errnoDescription(errno)) (errno \(errno))"
    }
}

/// The text of an errno value, e.g. "No space left on device".
public func errnoDescription(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}
