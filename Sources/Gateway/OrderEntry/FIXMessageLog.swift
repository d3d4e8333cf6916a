import FIX
import Foundation
import GatewayCore
import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// Where the per-session FIX message logs go and which sessions have one.
struct FIXMessageLogSettings {
    var directory: String
    /// Client CompID by session index; nil where the session's log is off.
    var sessions: [String?]

    /// Nil when no session has `message_log = true`.
    init?(gateway c: GatewayConfiguration, dataDirectory: String) {
        let sessions = c.fix.sessions.map { $0.options.messageLog ? $0.senderCompID : nil }
        guard sessions.contains(where: { $0 != nil }) else { return nil }
        self.sessions = sessions
        directory = c.fix.messageLogDirectory.isEmpty ? dataDirectory + "/fix-messages" : c.fix.messageLogDirectory
    }
}

/// Every message of the logged sessions, in and out, appended to
/// `<directory>/<CompID>-<YYYYMMDD>.log` (one file per session per UTC day): a line per
/// message, `<UTC time> IN|OUT <the message as received or sent, SOH kept>`. Off by
/// default; when on, one `write` per message from a reused buffer (the day's file is
/// opened when the first message of the day comes). A file that cannot be opened or
/// written is reported once and that session's log stops: it never stops trading.
///
/// I/O thread only.
final class FIXMessageLog {
    let settings: FIXMessageLogSettings
    /// Each session's log of the day (nil until its first message of the day).
    private var files: [FileDescriptor?]
    private var days: [Int64]
    private var failed: [Bool]
    private var line: [UInt8] = []

    init(settings: FIXMessageLogSettings) {
        self.settings = settings
        files = Array(repeating: nil, count: settings.sessions.count)
        days = Array(repeating: -1, count: settings.sessions.count)
        failed = Array(repeating: false, count: settings.sessions.count)
        line.reserveCapacity(16_384)
        try? FileManager.default.createDirectory(atPath: settings.directory, withIntermediateDirectories: true)
    }

    deinit {
        for case let file? in files { file.closeIgnoringErrors() }
    }

    func write(session: Int, inbound: Bool, _ bytes: UnsafeRawBufferPointer, now: Timestamp) {
        guard session < settings.sessions.count, let compID = settings.sessions[session], !failed[session] else { return }
        let day = now.rawValue / 86_400_000_000_000
        if day != days[session] {
            files[session]?.closeIgnoringErrors()
            files[session] = nil
            let stamp = FIXMessageLog.date(day)
            let path = "\(settings.directory)/\(compID)-\(stamp).log"
            do {
                files[session] = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_APPEND)
            } catch {
                failed[session] = true
                Log.error("FIX \(compID): cannot open its message log: \(error); its message log is off")
                return
            }
            days[session] = day
        }
        line.removeAll(keepingCapacity: true)
        var time = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))  // 32 bytes for the timestamp
        withUnsafeMutableBytes(of: &time) { raw in
            FIXUTCTimestamp.format(now, into: raw.baseAddress!)
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<FIXUTCTimestamp.millisecondsLength]))
        }
        let direction: StaticString = inbound ? " IN  " : " OUT "
        line.append(contentsOf: UnsafeBufferPointer(start: direction.utf8Start, count: direction.utf8CodeUnitCount))
        line.append(contentsOf: bytes)
        line.append(UInt8(ascii: "\n"))
        guard let file = files[session] else { return }
        do {
            try line.withUnsafeBytes { try file.append($0) }
        } catch {
            failed[session] = true
            Log.error("FIX \(compID): message log write failed: \(error); its message log is off")
        }
    }

    /// `YYYYMMDD` of a day number (days since 1970-01-01).
    static func date(_ day: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(day) * 86_400)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
    }
}
