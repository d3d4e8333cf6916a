import ArgumentParser
import Gateway

extension CiftGateway {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the gateway and run until SIGINT or SIGTERM.",
            discussion: """
                Loads the configuration (the embedded default, overridden by --config), replays the \
                journal in the data directory to rebuild the order books, starts the matching engine \
                on its configured core and the journal writer, prints the configuration and the symbol \
                directory, and serves until it is told to stop.
                """
        )

        @Option(name: .long, help: ArgumentHelp("A TOML configuration file; keys it leaves out take the defaults.", valueName: "file"))
        var config: String?

        @Option(name: .long, help: ArgumentHelp("Where the gateway keeps its journal and other state (overrides data_dir).", valueName: "dir"))
        var dataDir: String?

        @Flag(name: .long, help: "If the journal is corrupt in the middle, keep what comes before the damage and move the rest aside instead of refusing to start.")
        var truncateCorruptJournal = false

        func run() throws {
            var configuration = try ConfigurationLoader.load(path: config)
            if let dataDir { configuration.dataDirectory = dataDir }
            let status = try GatewayProcess.run(
                configuration: configuration,
                options: .init(truncateCorruptJournal: truncateCorruptJournal))
            if status != 0 { throw ExitCode(status) }
        }
    }
}
