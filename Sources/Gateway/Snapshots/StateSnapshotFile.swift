import Foundation
import GatewayCore
import Journal
import POSIX

/// One snapshot file (specs/snapshots.md, "File"): a 64-byte header naming the last
/// journal record the state covers, the body (``ReplayedState/writeBody()``), and a
/// CRC-32C of both.
struct StateSnapshotFile: Equatable {
    static let magic: [UInt8] = Array("CIFTSNAP".utf8)
    static let version: UInt16 = 1
    static let headerLength = 64

    /// The last journal record the state covers.
    var position: JournalPosition
    /// ``ReplayFingerprint`` of the configuration that built the state.
    var fingerprint: UInt64
    /// The engine's `snapshotDigest()` when the state was written; a load must give it back.
    var engineDigest: UInt64
    var body: [UInt8]

    /// The file's bytes.
    func encoded() -> [UInt8] {
        var w = SnapshotWriter(reservingCapacity: Self.headerLength + body.count + 4)
        for byte in Self.magic { w.u8(byte) }
        w.u16(Self.version)
        w.u16(UInt16(Self.headerLength))
        w.u32(position.fileIndex)
        w.u64(position.sequence)
        w.u64(UInt64(position.offset))
        w.u32(position.checksum)
        w.u32(0)
        w.u64(fingerprint)
        w.u64(engineDigest)
        w.u64(UInt64(body.count))
        var bytes = w.bytes + body
        let crc = bytes.withUnsafeBytes { CRC32C.checksum($0) }
        withUnsafeBytes(of: crc.littleEndian) { bytes += $0 }
        return bytes
    }

    /// Reads a file's bytes, checking magic, version, lengths and checksum; anything else
    /// (fingerprint, journal, digest) is the loader's to judge.
    init(decoding bytes: UnsafeRawBufferPointer) throws(SnapshotFormatError) {
        guard bytes.count >= Self.headerLength + 4 else {
            throw SnapshotFormatError("\(bytes.count) bytes, shorter than a header and checksum")
        }
        var r = SnapshotReader(bytes)
        var magic: [UInt8] = []
        for _ in 0..<8 { magic.append(try r.u8()) }
        guard magic == Self.magic else { throw SnapshotFormatError("not a snapshot file (magic)") }
        let version = try r.u16()
        guard version == Self.version else { throw SnapshotFormatError("format version \(version), this build reads \(Self.version)") }
        let headerLength = try r.u16()
        guard headerLength == Self.headerLength else { throw SnapshotFormatError("header length \(headerLength)") }
        let fileIndex = try r.u32()
        let sequence = try r.u64()
        let offset = try r.u64()
        let checksum = try r.u32()
        _ = try r.u32()
        fingerprint = try r.u64()
        engineDigest = try r.u64()
        let bodyLength = try r.u64()
        guard bodyLength == UInt64(bytes.count - Self.headerLength - 4) else {
            throw SnapshotFormatError("the header announces \(bodyLength) body bytes, the file has \(bytes.count - Self.headerLength - 4)")
        }
        let stored = UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - 4)...]).loadUnaligned(as: UInt32.self).littleEndian
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 4)]))
        guard stored == computed else { throw SnapshotFormatError("checksum \(stored), computed \(computed): the file is damaged") }
        guard offset <= UInt64(Int.max) else { throw SnapshotFormatError("journal offset \(offset)") }
        position = JournalPosition(fileIndex: fileIndex, offset: Int(offset), sequence: sequence, checksum: checksum)
        body = Array(UnsafeRawBufferPointer(rebasing: bytes[Self.headerLength..<(bytes.count - 4)]))
    }

    init(position: JournalPosition, fingerprint: UInt64, engineDigest: UInt64, body: [UInt8]) {
        self.position = position
        self.fingerprint = fingerprint
        self.engineDigest = engineDigest
        self.body = body
    }
}

/// The snapshot files of a data directory: `<data>/snapshots/snapshot-<sequence, 20
/// digits>.csn`. Written whole under a temporary name, synced, renamed and the directory
/// synced, so a crash leaves either the old set or the new file complete; the newest
/// `keep` are kept.
struct SnapshotDirectory {
    let path: String

    init(dataDirectory: String) { path = dataDirectory + "/snapshots" }

    static func fileName(sequence: UInt64) -> String {
        let digits = String(sequence)
        return "snapshot-" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".csn"
    }

    /// The snapshot files, newest (highest sequence) first.
    func files() -> [(sequence: UInt64, path: String)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return names.compactMap { name -> (UInt64, String)? in
            guard name.hasPrefix("snapshot-"), name.hasSuffix(".csn"), name.count == 33,
                  let sequence = UInt64(name.dropFirst(9).dropLast(4))
            else { return nil }
            return (sequence, path + "/" + name)
        }.sorted { $0.0 > $1.0 }
    }

    /// Writes `snapshot` and removes all but the newest `keep` files.
    ///
    /// `sync`: the file and the directory are `fsync`ed before older snapshots go (with
    /// `journal.durability = "fsync"`). Without it a power loss may leave the newest file
    /// damaged, which the start-up detects (checksum) and passes over: the journal is the
    /// record, a snapshot only shortens the replay. Not syncing matters on a running venue:
    /// on ext4 an `fsync` makes the file system commit its journal, which stalls the
    /// gateway journal's appends behind it (measured: p99.9 order → ack 3× worse while
    /// snapshots were synced every 20,000 commands; perf/RESULTS.md).
    func write(_ snapshot: StateSnapshotFile, keep: Int, sync: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        // A `.tmp` left by a process killed while writing is never read: it goes now.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name.hasSuffix(".csn.tmp") {
            try? FileManager.default.removeItem(atPath: path + "/" + name)
        }
        let final = path + "/" + Self.fileName(sequence: snapshot.position.sequence)
        let temporary = final + ".tmp"
        // POSIX's file calls (Sources/POSIX/FileDescriptor.swift): one way to the kernel.
        let file = try FileDescriptor.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try snapshot.encoded().withUnsafeBytes { _ = try file.writeAll($0, at: 0) }
            if sync { try file.sync() }
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
        // rename(2): it replaces a file of the same sequence (say a damaged one) in one step.
        guard rename(temporary, final) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO, userInfo: [NSFilePathErrorKey: temporary])
        }
        if sync {
            let directory = try FileDescriptor.openDirectory(path)
            defer { try? directory.close() }
            try directory.sync()
        }
        for old in files().dropFirst(max(1, keep)) { try? FileManager.default.removeItem(atPath: old.path) }
    }
}
