/// A TLS set-up or session problem, in words an operator can act on.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "TLS: " + message }
}
