/// What `JournalInspector` prints.
public struct JournalInspectionOptions: Equatable, Sendable {
    /// One line per record: sequence, offset, length, payload prefix and the
    /// `describe` text.
    public var listRecords: Bool
    /// Payload bytes shown in hex on each record line.
    public var payloadPrefixBytes: Int

    public init(listRecords: Bool = false, payloadPrefixBytes: Int = 16) {
        self.listRecords = listRecords
        self.payloadPrefixBytes = payloadPrefixBytes
    }
}

/// One problem inspection found.
public struct JournalInspectionFinding: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// Recovery would cut this off on its own.
        case tornTail
        /// Recovery would stop with `JournalError.corruption` (or quarantine
        /// from here with `.quarantine`).
        case corruption
    }

    public var kind: Kind
    public var path: String
    public var offset: Int
    public var problem: JournalProblem

    public var description: String {
        let label = kind == .tornTail ? "torn tail" : "corruption"
        return "\(label) in \(path) at byte offset \(offset): \(problem)"
    }
}

/// The result of an inspection.
public struct JournalInspectionSummary: Equatable, Sendable {
    public var fileCount = 0
    /// Intact records, including any after a damaged region.
    public var recordCount = 0
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?
    public var findings: [JournalInspectionFinding] = []

    public var checksumFailures: Int { findings.filter { $0.problem.isChecksumFailure }.count }
    /// Whether recovery would refuse the journal without `.quarantine`.
    public var hasCorruption: Bool { findings.contains { $0.kind == .corruption } }
    public var isClean: Bool { findings.isEmpty }
}

/// The read-only report behind `cift-gateway journal inspect DIR`.
///
/// It opens files read-only, takes no lock and changes nothing: a torn tail
/// is reported, with the offset recovery would truncate at, not truncated.
/// It uses the same tests as `JournalRecovery`, so "torn tail" and
/// "corruption" here mean what recovery will do. Unlike recovery it does not
/// stop at corruption: it resumes at the next intact record and reports
/// every damaged region.
public enum JournalInspector {
    /// Writes the report for `directory` to `output` and returns its findings.
    /// `describe` may turn a payload into text (the engine's decoding); nil
    /// prints the hex prefix only.
    public static func inspect<Output: TextOutputStream>(
        directory: String,
        options: JournalInspectionOptions = JournalInspectionOptions(),
        describe: (UnsafeRawBufferPointer) -> String? = { _ in nil },
        to output: inout Output
    ) throws -> JournalInspectionSummary {
        let files = try JournalDirectory.journalFiles(directory)
        return try withoutActuallyEscaping(describe) { describe in
            var session = Session(output: output, options: options, describe: describe)
            defer { output = session.output }
            session.inspection.fileCount = files.count
            session.write("journal \(directory): \(files.count) file(s)")
            let loader = JournalFileLoader()
            for (position, entry) in files.enumerated() {
                session.inspectFile(entry, try loader.load(entry.path), isLast: position == files.count - 1)
            }
            session.writeSummary()
            return session.inspection
        }
    }

    /// The report as a string, for callers that print it whole.
    public static func report(
        directory: String,
        options: JournalInspectionOptions = JournalInspectionOptions(),
        describe: (UnsafeRawBufferPointer) -> String? = { _ in nil }
    ) throws -> String {
        var text = ""
        _ = try inspect(directory: directory, options: options, describe: describe, to: &text)
        return text
    }

    /// The state of one inspection: where the report goes and what it found.
    private struct Session<Output: TextOutputStream> {
        var output: Output
        let options: JournalInspectionOptions
        let describe: (UnsafeRawBufferPointer) -> String?
        var inspection = JournalInspectionSummary()
        /// The sequence the next record should carry, once one is known.
        var expected: UInt64?
        var previousIndex: UInt32?
        var path = ""

        mutating func write(_ line: String) {
            output.write(line)
            output.write("\n")
        }

        mutating func report(_ kind: JournalInspectionFinding.Kind, _ offset: Int, _ problem: JournalProblem, _ detail: String) {
            inspection.findings.append(JournalInspectionFinding(kind: kind, path: path, offset: offset, problem: problem))
            let label: String
            switch kind {
            case .tornTail: label = "TORN TAIL"
            case .corruption: label = problem.isChecksumFailure ? "CHECKSUM FAILURE" : "CORRUPTION"
            }
            write("  \(label) at offset \(offset): \(problem); \(detail)")
        }

        mutating func inspectFile(_ entry: JournalFileEntry, _ image: UnsafeRawBufferPointer, isLast: Bool) {
            path = entry.path
            write("\(entry.name): \(image.count) bytes")
            if let previousIndex, entry.index != previousIndex + 1 {
                report(.corruption, 0, .fileIndexGap(expected: previousIndex + 1, found: entry.index), "recovery stops here")
            }
            previousIndex = entry.index

            switch JournalFileHeader.decode(image) {
            case .failure(let problem):
                let following = JournalRecordCodec.nextIntactRecord(
                    in: image, after: JournalFormat.headerLength - JournalFormat.recordAlignment,
                    expectedSequence: expected)
                if isLast, problem.canBeTornWrite, following == nil {
                    report(.tornTail, 0, problem, "recovery removes this file\(allZero(image) ? " (all zero)" : "")")
                    return
                }
                report(.corruption, 0, problem, "recovery stops here")
                guard let following else { return }
                write("  resuming at the intact record at offset \(following)")
                expected = nil
                walkRecords(image, from: following, isLast: isLast)
            case .success(let header):
                let durability = header.durability.map { "\($0)" } ?? "unknown (\(header.durabilityCode))"
                write("  header: index \(header.fileIndex), first sequence \(header.firstSequence), "
                    + "created \(JournalClock.isoUTC(nanoseconds: header.createdAtNanoseconds)) "
                    + "by pid \(header.writerProcessID), durability \(durability), max file size \(header.maxFileSize)")
                if header.fileIndex != entry.index {
                    report(.corruption, 0, .fileIndexMismatch(named: entry.index, inHeader: header.fileIndex),
                           "recovery stops here")
                }
                if let expected, header.firstSequence != expected {
                    report(.corruption, 0, .firstSequenceMismatch(expected: expected, inHeader: header.firstSequence),
                           "recovery stops here")
                }
                expected = header.firstSequence
                walkRecords(image, from: JournalFormat.headerLength, isLast: isLast)
            }
        }

        /// Walks records from `start`, listing them when asked, reporting
        /// damage and resuming after it at the next intact record.
        mutating func walkRecords(_ image: UnsafeRawBufferPointer, from start: Int, isLast: Bool) {
            var offset = start
            var count = 0
            var payloadBytes = 0
            var first: UInt64?
            var last: UInt64?
            while offset < image.count {
                switch JournalRecordCodec.decode(in: image, at: offset) {
                case .intact(let record):
                    if let want = expected, record.sequence != want {
                        report(.corruption, offset, .sequenceGap(expected: want, found: record.sequence), "recovery stops here")
                    }
                    if options.listRecords {
                        var line = "  seq \(record.sequence)  offset \(offset)  length \(record.payload.count)  "
                            + hexPrefix(record.payload, bytes: options.payloadPrefixBytes)
                        if let text = describe(record.payload) { line += "  " + text }
                        write(line)
                    }
                    first = first ?? record.sequence
                    last = record.sequence
                    count += 1
                    payloadBytes += record.payload.count
                    inspection.firstSequence = inspection.firstSequence ?? record.sequence
                    inspection.lastSequence = record.sequence
                    expected = record.sequence + 1
                    offset += record.size
                case .damaged(let problem):
                    let following = JournalRecordCodec.nextIntactRecord(in: image, after: offset, expectedSequence: expected)
                    let rest = UnsafeRawBufferPointer(rebasing: image[offset...])
                    if let following {
                        report(.corruption, offset, problem,
                               "intact record follows at offset \(following) (\(following - offset) bytes skipped); recovery stops here")
                        // The skipped bytes held the missing sequences; the
                        // damage is reported once, not again as a gap.
                        expected = nil
                        offset = following
                    } else if isLast, problem.canBeTornWrite {
                        report(.tornTail, offset, problem,
                               "\(rest.count) bytes to the end of the file\(allZero(rest) ? ", all zero" : ""); recovery truncates here")
                        offset = image.count
                    } else {
                        report(.corruption, offset, problem,
                               "\(rest.count) bytes to the end of a file that is not the last; recovery stops here")
                        offset = image.count
                    }
                }
            }
            inspection.recordCount += count
            if let first, let last {
                write("  records \(count), sequences \(first)...\(last), payload \(payloadBytes) bytes")
            } else {
                write("  records 0")
            }
        }

        mutating func writeSummary() {
            var summary = "summary: \(inspection.fileCount) file(s), \(inspection.recordCount) record(s)"
            if let first = inspection.firstSequence, let last = inspection.lastSequence {
                summary += ", sequences \(first)...\(last)"
            }
            if inspection.isClean {
                summary += "; no problems"
            } else {
                let tornTails = inspection.findings.filter { $0.kind == .tornTail }.count
                let corruptions = inspection.findings.count - tornTails
                summary += "; \(inspection.checksumFailures) checksum failure(s)"
                if tornTails > 0 { summary += "; torn tail (recovery cuts it off)" }
                if corruptions > 0 {
                    summary += "; \(corruptions) corruption(s) (recovery refuses the journal unless told to quarantine)"
                }
            }
            write(summary)
        }
    }

    private static func allZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.allSatisfy { $0 == 0 }
    }

    /// "4e45572041..." for the first `bytes` bytes, with "…" when cut.
    static func hexPrefix(_ payload: UnsafeRawBufferPointer, bytes: Int) -> String {
        let digits: [Character] = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(2 * min(bytes, payload.count) + 1)
        for byte in payload.prefix(bytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        if payload.count > bytes { text.append("…") }
        return text
    }
}
