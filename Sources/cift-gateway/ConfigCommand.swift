import ArgumentParser
import Gateway

extension CiftGateway {
    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective configuration as TOML (the defaults, or a file's values on top of them).",
            discussion: "Checks the file exactly as `run` would, so it also serves to validate a configuration before a restart."
        )

        @Option(name: .long, help: ArgumentHelp("A TOML configuration file to check and print.", valueName: "file"))
        var config: String?

        func run() throws {
            let configuration = try ConfigurationLoader.load(path: config)
            try configuration.checkForRun()
            print(configuration.renderTOML(), terminator: "")
        }
    }
}
