import Foundation

/// The JSON file `--json PATH` writes: when and where, the parameters, every run and the ratios.
public struct JSONReport: Codable {
    public var date: String
    public var host: String
    public var cores: Int
    public var loadAverage: String
    public var command: [String]
    public var results: [FIXRunResult]
    public var ratios: [TargetRatio]

    public init(command: [String], results: [FIXRunResult], ratios: [TargetRatio]) {
        date = ISO8601DateFormatter().string(from: Date())
        host = ProcessInfo.processInfo.hostName
        cores = ProcessInfo.processInfo.activeProcessorCount
        loadAverage = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        self.command = command
        self.results = results
        self.ratios = ratios
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }
}
