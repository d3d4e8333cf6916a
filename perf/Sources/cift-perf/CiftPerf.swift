import ArgumentParser

/// `cift-perf`: the CIFT Gateway's latency harness. One subcommand per protocol or
/// load shape; `fix` (FIX 4.4 order entry round trips) is the first. OUCH, open-loop
/// load and ITCH come next, each as a subcommand over the same PerfHarness parts
/// (sockets, child processes, closed loop, histograms, reports).
@main
struct CiftPerf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cift-perf",
        abstract: "Latency harness for the CIFT Gateway (perf/README.md).",
        subcommands: [FIXCommand.self]
    )
}
