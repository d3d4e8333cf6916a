import FIX
import GatewayCore
import Network
import OUCH
import Rings
import TLS

extension OrderEntryAgent.Settings {
    /// The order-entry stage as the gateway configures it: its listeners, the login
    /// limits, and the sessions start-up recovered, which its thread takes over when it
    /// starts (``StartupRecovery/handOver()``).
    init(
        gateway configuration: GatewayConfiguration, dataDirectory: String, startup: StartupRecovery, port: OrderEntryPort,
        clock: any Clock
    ) throws {
        precondition(port.source == GatewayPort.orderEntry.source, "order entry's port")
        let tls = try configuration.tls.isEnabled
            ? TLSListenerSettings(
                fix: configuration.tls.fixListen, ouch: configuration.tls.ouchListen,
                context: TLSContext(server: TLSConfiguration(gateway: configuration)))
            : nil
        let fixCancelOnDisconnect = configuration.fix.sessions.map(\.cancelOnDisconnect)
        let fixMessageLog = FIXMessageLogSettings(gateway: configuration, dataDirectory: dataDirectory)
        let highestUserReference = startup.state.highestUserReference
        let (ouchServer, fixAcceptor, fixOrderEntry) = (startup.ouchServer, startup.fixAcceptor, startup.fixOrderEntry)
        let source = port.source
        self.init(
            network: try NetworkConfiguration(gateway: configuration),
            ouchListen: configuration.ouch.listen, fixListen: configuration.fix.listen, tls: tls,
            makeOUCH: {
                let server = ouchServer.take()
                // UserRefNums the journal holds but no stream answered (a crash between them).
                for (account, reference) in highestUserReference {
                    server.raiseHighWater(account: account, to: reference)
                }
                return server
            },
            makeFIX: {
                FIXFrontEnd(
                    acceptor: fixAcceptor.take(), orderEntry: fixOrderEntry.take(),
                    cancelOnDisconnect: fixCancelOnDisconnect, source: source,
                    messageLog: fixMessageLog.map { FIXMessageLog(settings: $0) })
            }, port: port, clock: clock)
        maxPendingLogins = configuration.network.maxPendingLogins
        maxPendingLoginsPerAddress = configuration.network.maxPendingLoginsPerAddress
        loginThrottle = LoginThrottle.Policy(
            failuresBeforeLockout: configuration.network.loginFailuresBeforeLockout,
            longestLockoutNanoseconds: Int64(configuration.network.loginLockoutMaxSeconds) * 1_000_000_000)
    }
}
