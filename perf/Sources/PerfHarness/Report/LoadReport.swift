import Foundation

/// The results of a `cift-perf load` invocation: every target's run, the ratios against
/// the issue's goals, and where the files went. Written as JSON (`load.json`), one
/// `.hgrm` per target and measure, and a plot (`load.html`).
public struct LoadReport: Codable {
    public struct Target: Codable {
        public var target: String
        public var title: String
        public var protocolName: String
        public var plan: LoadPlan
        public var connections: Int
        public var throughput: Double
        public var stoppedByDuration: Bool
        public var wallSeconds: Double
        public var counts: LoadCounts
        /// Measure name → percentiles (µs); only measures with samples.
        public var latencies: [String: LatencySummary]
        public var spectra: [String: [SpectrumPoint]]
        var distributions: [String: String] = [:]

        enum CodingKeys: String, CodingKey {
            case target, title, protocolName, plan, connections, throughput, stoppedByDuration, wallSeconds, counts, latencies, spectra
        }

        public init(target: String, title: String, protocolName: String, result: LoadRunResult) {
            self.target = target
            self.title = title
            self.protocolName = protocolName
            plan = result.plan
            connections = result.connections
            throughput = result.throughput
            stoppedByDuration = result.stoppedByDuration
            wallSeconds = result.wallSeconds
            counts = result.measures.counts
            latencies = [:]
            spectra = [:]
            for (name, _, histogram) in result.measures.named where histogram.count > 0 {
                latencies[name] = histogram.summary()
                spectra[name] = histogram.spectrum()
                distributions[name] = histogram.percentileDistribution()
            }
        }
    }

    public var date: String
    public var host: String
    public var cores: Int
    public var loadAverage: String
    /// Where the clients and the servers ran (`--server-cores`).
    public var placement: String = ServerPlacement.description
    public var command: [String]
    public var targets: [Target]
    public var ratios: [LoadRatio]
    /// Connection set-up times (`--tls-compare`): plain TCP connect, TCP connect → TLS established.
    public var connects: [HandshakeRun.Result]

    public init(command: [String], targets: [Target], connects: [HandshakeRun.Result] = []) {
        self.connects = connects
        date = ISO8601DateFormatter().string(from: Date())
        host = ProcessInfo.processInfo.hostName
        cores = ProcessInfo.processInfo.activeProcessorCount
        loadAverage = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        self.command = command
        self.targets = targets
        ratios = LoadRatio.compute(targets)
    }

    static let measureTitles = Dictionary(uniqueKeysWithValues: LoadMeasures().named.map { ($0.name, $0.title) })

    /// The human summary.
    public func render() -> String {
        var lines: [String] = []
        if let first = targets.first {
            lines.append("\(first.protocolName) load: \(first.plan.label), \(first.connections) connection(s), mix \(first.plan.mix), "
                         + "warm-up \(first.plan.warmup), at most \(first.plan.orders) measured requests or \(first.plan.durationSeconds) s")
            lines.append("latency from each request's intended send time, µs; machine: \(cores) cores, load average \(loadAverage)")
            lines.append("placement: \(placement)")
        }
        lines.append(row(["target", "measure", "count", "p50", "p90", "p99", "p99.9", "p99.99", "max"]))
        for t in targets {
            for (name, _, _) in LoadMeasures().named {
                guard let l = t.latencies[name] else { continue }
                lines.append(row([t.title, Self.measureTitles[name] ?? name, String(l.count), f(l.p50), f(l.p90), f(l.p99), f(l.p999), f(l.p9999), f(l.max)]))
            }
        }
        lines.append("")
        for t in targets {
            let c = t.counts
            lines.append("\(t.title): \(String(format: "%.0f", t.throughput)) answers/s; issued \(c.issued), answered \(c.answered); "
                         + "errors: rejects \(c.rejects), cancel rejects \(c.cancelRejects), disconnects \(c.disconnects), timeouts \(c.timeouts), unknown answers \(c.unknownAnswers); "
                         + "too-late cancels/replaces \(c.tooLate), executions \(c.executions), marketable unfilled \(c.marketUnfilled)"
                         + (t.latencies["feed"] != nil ? ", Add Order before ack \(c.feedBeforeAck), feed gap messages \(c.feedGapMessages)" : "")
                         + (t.stoppedByDuration ? " (stopped by --duration)" : ""))
        }
        if !connects.isEmpty {
            lines.append("")
            lines.append("Connection set-up, one connection after another, no load running (µs):")
            lines.append(row(["listener", "measure", "count", "p50", "p90", "p99", "p99.9", "p99.99", "max"]))
            for c in connects {
                let l = c.latency
                lines.append(row([c.tlsVersion.map { c.name.replacingOccurrences(of: "TLS", with: $0) } ?? c.name, c.title, String(l.count), f(l.p50), f(l.p90), f(l.p99), f(l.p999), f(l.p9999), f(l.max)]))
            }
        }
        if !ratios.isEmpty {
            lines.append("")
            lines.append("Against the targets (stated, not asserted):")
            for r in ratios { lines.append("  " + r.line) }
        }
        return lines.joined(separator: "\n")
    }

    /// Writes load.json, <target>-<measure>.hgrm and load.html into `directory`.
    public func write(to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = directory + "/load.json"
        try encoder.encode(self).write(to: URL(fileURLWithPath: json))
        written.append(json)
        for t in targets {
            for (name, text) in t.distributions.sorted(by: { $0.key < $1.key }) {
                let path = directory + "/\(t.protocolName.lowercased())-\(t.target)-\(name).hgrm"
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                written.append(path)
            }
        }
        let html = directory + "/load.html"
        try PercentilePlot.html(self).write(toFile: html, atomically: true, encoding: .utf8)
        written.append(html)
        return written
    }

    func f(_ v: Double) -> String { v >= 100 ? String(format: "%.0f", v) : String(format: "%.1f", v) }

    func row(_ cells: [String]) -> String {
        let widths = [14, 24, 8, 8, 8, 8, 9, 9, 9]
        return zip(cells, widths).enumerated().map { i, pair in
            let (cell, width) = pair
            let pad = String(repeating: " ", count: max(0, width - cell.count))
            return i < 2 ? cell + pad : pad + cell
        }.joined(separator: " ")
    }
}
