import POSIX
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One journal file found in the directory.
struct JournalFileEntry: Equatable {
    let index: UInt32
    let name: String
    let path: String
}

/// The journal's own directory operations: listing journal files, the writer's lock,
/// a quarantine for files moved aside. The generic ones are POSIX's ``FileSystem``.
enum JournalDirectory {
    /// The journal files in `directory`, in index order. Other names are
    /// ignored, except names shaped like journal files that are not
    /// canonical (`journal-1.cjl`), which throw `unexpectedFileName` rather
    /// than being silently skipped.
    static func journalFiles(_ directory: String) throws -> [JournalFileEntry] {
        var files: [JournalFileEntry] = []
        for name in try FileSystem.entries(directory) where JournalFormat.looksLikeJournalFile(name) {
            guard let index = JournalFormat.fileIndex(fromName: name) else {
                throw JournalError.unexpectedFileName(path: FileSystem.join(directory, name))
            }
            files.append(JournalFileEntry(index: index, name: name, path: FileSystem.join(directory, name)))
        }
        return files.sorted { $0.index < $1.index }
    }

    /// Opens `directory` and takes its exclusive lock, held until the
    /// descriptor is closed. Throws `directoryLocked` when another writer or
    /// recovery holds it.
    static func lock(_ directory: String) throws -> FileDescriptor {
        let descriptor = try FileDescriptor.openDirectory(directory)
        do {
            guard try descriptor.tryLockExclusive() else {
                throw JournalError.directoryLocked(path: directory)
            }
        } catch {
            try? descriptor.close()
            throw error
        }
        return descriptor
    }

    /// Creates `quarantine-<UTC time>` (with a `-2`, `-3`… suffix when that
    /// name is taken) inside `directory` and returns its path.
    static func createQuarantine(in directory: String, nanoseconds: Int64) throws -> String {
        let base = "quarantine-" + JournalClock.compactUTC(nanoseconds: nanoseconds)
        var attempt = 1
        while true {
            let name = attempt == 1 ? base : base + "-\(attempt)"
            let path = FileSystem.join(directory, name)
            let result = try SystemCall.run("mkdir", on: path, tolerating: EEXIST) {
                path.withCString { mkdir($0, 0o755) }
            }
            if result != nil { return path }
            attempt += 1
        }
    }

}

/// Reads whole journal files into one buffer that grows to the largest file
/// and is reused (recovery and inspection, never the append path).
final class JournalFileLoader {
    private var storage: UnsafeMutableRawBufferPointer

    init() {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    /// The bytes of the file at `path`, valid until the next `load`. A file
    /// that shrinks while being read yields what was there.
    func load(_ path: String) throws -> UnsafeRawBufferPointer {
        let descriptor = try FileDescriptor.open(path, flags: O_RDONLY)
        defer { try? descriptor.close() }
        let size = try descriptor.size()
        if size > storage.count {
            storage.deallocate()
            storage = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        }
        let read = try descriptor.readFully(into: UnsafeMutableRawBufferPointer(rebasing: storage[0..<size]), at: 0)
        return UnsafeRawBufferPointer(rebasing: storage[0..<read])
    }
}

/// Wall-clock time for file headers and quarantine names (never used by the
/// engine, which gets its time from commands).
enum JournalClock {
    /// Nanoseconds since the Unix epoch. Corresponds to `clock_gettime(2)`
    /// with CLOCK_REALTIME.
    static func nowNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// "2025-11-21T01:05:00.123456789Z".
    static func isoUTC(nanoseconds: Int64) -> String {
        let (date, seconds, fraction) = civil(nanoseconds)
        return "\(date.year)-\(pad(date.month, 2))-\(pad(date.day, 2))T"
            + "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))."
            + pad(Int(fraction), 9) + "Z"
    }

    /// "20251121T010500Z", for directory names.
    static func compactUTC(nanoseconds: Int64) -> String {
        let (date, seconds, _) = civil(nanoseconds)
        return "\(date.year)\(pad(date.month, 2))\(pad(date.day, 2))T"
            + "\(pad(seconds / 3600, 2))\(pad(seconds / 60 % 60, 2))\(pad(seconds % 60, 2))Z"
    }

    private static func civil(_ nanoseconds: Int64) -> (date: (year: Int, month: Int, day: Int), seconds: Int, fraction: Int64) {
        let (secondsTotal, fraction) = floorDivide(nanoseconds, 1_000_000_000)
        let (days, seconds) = floorDivide(secondsTotal, 86_400)
        return (civilFromDays(Int(days)), Int(seconds), fraction)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor, remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
    /// civil_from_days).
    private static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
