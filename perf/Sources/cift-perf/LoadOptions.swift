import ArgumentParser
import PerfHarness

/// The load options every closed-loop subcommand takes.
struct LoadOptions: ParsableArguments {
    @Option(name: .customLong("in-flight"), help: "Requests outstanding at once; repeat for several runs (default: 1 and 64).")
    var inFlight: [Int] = []

    @Option(help: "Round trips at the start of each run that are not measured.")
    var warmup = 2_000

    @Option(help: "Measured round trips per run, at most (warm-up + orders must stay below the gateway's max_orders; see perf/README.md).")
    var orders = 50_000

    @Option(help: "Seconds after which a run stops sending, warm-up included, whichever comes first.")
    var duration: Double = 20

    var inFlightCounts: [Int] { inFlight.isEmpty ? [1, 64] : inFlight }

    func validate() throws {
        guard inFlightCounts.allSatisfy({ $0 >= 1 && $0 <= 4_096 }) else {
            throw ValidationError("--in-flight must be 1...4096")
        }
        guard warmup >= 0, orders >= 1, duration > 0 else {
            throw ValidationError("--warmup ≥ 0, --orders ≥ 1 and --duration > 0")
        }
        // Every order rests until the session logs out (cancel-on-disconnect then
        // cancels them): one run must stay within the engine's 262,144 orders.
        guard warmup + orders <= 200_000 else {
            throw ValidationError("--warmup + --orders must be at most 200,000 (the gateway's engine holds 262,144 orders and every order rests)")
        }
    }

    func parameters(inFlight: Int) -> LoadParameters {
        LoadParameters(inFlight: inFlight, warmup: warmup, measured: orders, durationSeconds: duration)
    }
}
