import Network
import Rings

/// How the stages go onto threads (specs/threading.md, "Threading modes"), and how they
/// are stopped when the start fails half-way.
extension GatewayServer {
    /// Composes the stages onto threads for the chosen mode and starts them. Stages that
    /// share a thread run in one duty cycle in this order: engine, journal writer, order
    /// entry, market data, bridge (an order read in one cycle is matched, written,
    /// acknowledged and published in the next, with no wake-up between).
    func startStages(signals: ThreadSignals) throws {
        let c = configuration
        let core = c.engine.core
        if let core { try ThreadPinning.validate(core: core) }
        let orderEntry = self.orderEntry
        let bridgeWait = signalBridge?.waitStrategy
        let marketData = self.marketData
        let marketDataNetwork = try self.marketDataNetwork()
        /// The waiter of a thread without order entry: when it runs market data, that
        /// stage's own network loop (its sockets and the thread's signal in one sleep), the
        /// futex otherwise.
        func waiter(for agents: [any Agent], signal: WakeSignal) -> (any Agent) throws -> any AgentWaiter {
            if agents.contains(where: { $0 === marketData }) {
                marketData.use(.own(marketDataNetwork, signal: signal))
                return { _ in marketData }
            }
            let strategy = bridgeWait ?? .default
            return { _ in SignalWaiter(strategy: strategy, signal: signal) }
        }
        func composite(_ agents: [any Agent]) -> any Agent {
            guard agents.count > 1 else { return agents[0] }
            let composite = CompositeAgent(agents)
            if agents.contains(where: { $0 === runtime.agents[0] }) { runtime.shareThread(with: composite) }
            return composite
        }
        let bridge: [any Agent] = signalBridge.map { [$0] } ?? []
        switch threading.mode {
        case .dedicated:
            runners.append(AgentRunner(name: "cift-marketdata", core: nil, agent: marketData,
                                       waiter: waiter(for: [marketData], signal: signals.marketData)))
            if let signalBridge {
                runners.append(AgentRunner(name: "cift-shm-bridge", core: nil, agent: signalBridge,
                                           waiter: waiter(for: bridge, signal: signals.bridge)))
            }
            // Market data and the bridge, then the engine and journal (the runtime's own
            // threads), and order entry last: nothing is accepted before the engine runs.
            for runner in runners { try runner.start() }
            try runtime.start()
            let network = AgentRunner(name: "cift-io-0", core: nil, agent: orderEntry) { _ in orderEntry }
            runners.append(network)
            try network.start()
        case .split:
            let own = runtime.agents
            let engineSide: [any Agent] = [own[0], orderEntry]
            let rest: [any Agent] = Array(own.dropFirst()) + [marketData] + bridge
            runners.append(AgentRunner(name: "cift-stages", core: nil, agent: composite(rest),
                                       waiter: waiter(for: rest, signal: signals.journal)))
            runners.append(AgentRunner(name: "cift-engine-io", core: core, agent: composite(engineSide)) { _ in orderEntry })
            for runner in runners { try runner.start() }
        case .shared:
            // Market data's sockets join order entry's loop, which runs before it in the cycle.
            marketData.use(.orderEntry(orderEntry))
            let all: [any Agent] = runtime.agents + [orderEntry, marketData] + bridge
            runners.append(AgentRunner(name: "cift-gateway", core: core, agent: composite(all)) { _ in orderEntry })
            try runners[0].start()
        }
    }

    /// The network loop of a thread that runs market data without order entry: the
    /// gateway's settings, sized for the snapshot service's connections (32 served, as
    /// many again accepted to be told there is no room).
    private func marketDataNetwork() throws -> NetworkConfiguration {
        var network = try NetworkConfiguration(gateway: configuration)
        network.maxConnections = 2 * SnapshotService.maximumConnections
        network.maxListeners = 1
        network.receiveBufferCount = 64
        network.receiveBufferSize = 4_096
        // The snapshot service has no timers in the loop's turn (the stage's own deadline
        // covers its connections and the feed's heartbeat): an idle feed wakes ten times a
        // second at most.
        network.maxIdleWaitMilliseconds = 100
        try network.validate()
        return network
    }

    /// After a failed start: the stages whose threads run are stopped in the usual order;
    /// the others never ran (their sockets and files are closed all the same).
    func stopStartedStages() {
        snapshotter?.stop()
        runtime.abandonPort(GatewayPort.orderEntry.rawValue)
        _ = runtime.stop(engineRunning: isRunning(runtime.agents[0]), journalRunning: runtime.agents.count < 2 || isRunning(runtime.agents[1]))
        if let signalBridge, isRunning(signalBridge) {
            signalBridge.requestStop()
            EngineRuntime.waitUntil(signalBridge.finished)
        }
        if isRunning(marketData) {
            marketData.requestStop()
            EngineRuntime.waitUntil(marketData.finished)
        } else {
            marketData.onClose()
        }
        for runner in runners where runner.didStart { runner.join() }
        dataDirectory.unlock()
    }

    /// Whether a started thread runs `agent` (alone or in a composite).
    private func isRunning(_ agent: any Agent) -> Bool {
        if agent === runtime.agents[0] && runtime.runsOwnThreads { return true }
        if runtime.agents.count > 1 && agent === runtime.agents[1] && runtime.runsOwnThreads { return true }
        return runners.contains { runner in
            runner.didStart && (runner.agent === agent || (runner.agent as? CompositeAgent)?.members.contains { $0 === agent } == true)
        }
    }

    /// Which thread runs which stages, for the start-up banner: `cift-gateway (core 1):
    /// engine+journal+order-entry+market-data+shm-bridge`.
    public var threadMap: String {
        var threads = runners.map { ($0.name, $0.core, $0.agent.roleName) }
        if runtime.runsOwnThreads {
            threads += runtime.agents.map { ($0 === runtime.agents[0] ? "cift-engine" : "cift-journal", $0 === runtime.agents[0] ? runtime.engineCore : nil, $0.roleName) }
        }
        var map = threads.map { "\($0.0) (\($0.1.map { "core \($0)" } ?? "any core")): \($0.2)" }.joined(separator: ", ")
        if snapshotter != nil { map += ", cift-snapshot (idle priority): snapshots" }
        return map
    }
}
