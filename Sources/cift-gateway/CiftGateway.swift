import ArgumentParser
import Gateway

@main
struct CiftGateway: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cift-gateway",
        abstract: "CIFT Gateway: an exchange gateway with FIX 4.4 and OUCH 5.0 order entry, a price-time matching engine and ITCH 5.0 market data.",
        discussion: """
            Start the venue with `cift-gateway run`: with no options it runs the embedded default \
            configuration (loopback ports, the demo symbols, sessions and accounts listed in the README) \
            and keeps its state under ./var. Stop it with Ctrl-C (SIGINT) or SIGTERM; it finishes writing \
            its journal and exits 0. On the next start it replays the journal, so the books are as they were.

            Examples:
              cift-gateway run
              cift-gateway run --config venue.toml --data-dir /srv/cift
              cift-gateway config > venue.toml        # the defaults, as a file to edit
              cift-gateway journal inspect ./var/journal
              cift-gateway md listen --from-snapshot  # watch the market-data feed
            """,
        version: "cift-gateway \(GatewayVersion.current)",
        subcommands: [Run.self, Journal.self, Config.self, MarketDataCommand.self]
    )
}
