import Foundation

/// The gateway's operator log: one line per event, UTC timestamp first, to standard
/// error so standard output stays free for what a command was asked to print.
/// Never called per message on the hot path.
public enum Log {
    private static let lock = NSLock()

    public static func info(_ message: String) { write("INFO ", message) }
    public static func warning(_ message: String) { write("WARN ", message) }
    public static func error(_ message: String) { write("ERROR", message) }

    private static func write(_ level: String, _ message: String) {
        let stamp = ISO8601DateFormatter.string(
            from: Date(), timeZone: TimeZone(identifier: "UTC")!,
            formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        let line = "\(stamp) \(level) \(message)\n"
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data(line.utf8))
    }
}
