import ArgumentParser
import Gateway

extension CiftGateway {
    struct Journal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Look at a journal directory.",
            subcommands: [Inspect.self]
        )

        struct Inspect: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print a journal's files, sequence range, checksum failures and (with --records) every record. Never modifies the files.",
                discussion: "DIR is the journal directory: <data dir>/journal, ./var/journal by default."
            )

            @Argument(help: ArgumentHelp("The journal directory.", valueName: "dir"))
            var directory: String

            @Flag(name: .long, help: "Print one line per record, with the decoded command.")
            var records = false

            func run() throws {
                let report = try JournalInspection.report(directory: directory, records: records)
                print(report.text, terminator: report.text.hasSuffix("\n") ? "" : "\n")
                if report.hasProblems { throw ExitCode(1) }
            }
        }
    }
}
