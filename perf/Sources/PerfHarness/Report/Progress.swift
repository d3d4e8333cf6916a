#if canImport(Glibc)
import Glibc
#endif

/// One progress line on standard error, rewritten in place at most every 200 ms:
/// `<label>: sent N/M, answered K`. Ends with a newline on ``finish()``.
public final class Progress {
    let label: String
    var lastPrint: Int64 = 0
    var lastLine = ""

    public init(label: String) { self.label = label }

    func update(sent: Int, received: Int, total: Int) {
        let now = nowNanoseconds()
        guard now - lastPrint >= 200_000_000 else { return }
        lastPrint = now
        lastLine = "\(label): sent \(sent)/\(total), answered \(received)"
        Self.write("\r\u{1B}[K" + lastLine)
    }

    func finish() {
        Self.write("\r\u{1B}[K\(label): done\n")
    }

    /// Writes `text` to standard error at once (unbuffered).
    public static func write(_ text: String) {
        _ = text.withCString { Glibc.write(2, $0, strlen($0)) }
    }
}
