import ArgumentParser

/// `cift-perf`: the CIFT Gateway's latency harness. One subcommand per protocol or
/// load shape: `fix` (FIX 4.4 order entry round trips), `itch` (OUCH order ->
/// Order Accepted and -> ITCH Add Order on the multicast feed, burst publish rates) and
/// `load` (OUCH or FIX load from several connections, an order mix, closed or open loop,
/// HDR reports and plots, `--compare` with QuickFIX and the TCP floor),
/// over the same PerfHarness parts (sockets, child processes, histograms, reports).
@main
struct CiftPerf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cift-perf",
        abstract: "Latency harness for the CIFT Gateway (perf/README.md).",
        subcommands: [FIXCommand.self, ITCHCommand.self, LoadCommand.self]
    )
}
