import ArgumentParser
import Gateway
import GatewayCore
import MarketData
import MarketDataSubscriber

#if canImport(Glibc)
import Glibc
#endif

extension CiftGateway {
    struct MarketDataCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "md",
            abstract: "Subscribe to the venue's ITCH 5.0 / MoldUDP64 market data.",
            subcommands: [Listen.self]
        )

        struct Listen: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Join the feed, keep the book and print each best bid/offer change (or every message).",
                discussion: """
                    Joins the multicast group, fills gaps from the retransmission server and prints one line \
                    per best bid/offer change, or every decoded message with --verbose. Gaps, retransmission \
                    requests and the snapshot are reported on stderr. With --from-snapshot it first takes a \
                    snapshot of the book from the snapshot server and joins the feed after it; otherwise it \
                    follows the feed from message 1. Ends on End of Session, --max-messages, --seconds or Ctrl-C.
                    The defaults are the gateway's embedded configuration.

                    Examples:
                      cift-gateway md listen
                      cift-gateway md listen --from-snapshot --symbols AAPL,MSFT
                      cift-gateway md listen --interface lo --verbose --seconds 10
                    """
            )

            static let defaults = GatewayConfiguration.embeddedDefault.marketData

            @Option(name: .long, help: ArgumentHelp("Multicast group and port.", valueName: "addr:port"))
            var group = defaults.group.description

            @Option(name: .long, help: ArgumentHelp("Interface to join the group on: a name (lo) or an IPv4 address.", valueName: "if"))
            var interface = defaults.interface

            @Option(name: .long, help: ArgumentHelp("Retransmission server (unicast UDP).", valueName: "addr:port"))
            var retransmission = defaults.retransmission.description

            @Option(name: .long, help: ArgumentHelp("Snapshot server (TCP).", valueName: "addr:port"))
            var snapshot = defaults.snapshot.description

            @Flag(name: .long, help: "Take a snapshot first and join the feed after it (late join).")
            var fromSnapshot = false

            @Flag(name: .long, help: "Print every decoded message, not only best bid/offer changes.")
            var verbose = false

            @Option(name: .long, help: ArgumentHelp("Only these symbols (comma-separated).", valueName: "list"))
            var symbols: String?

            @Option(name: .long, help: ArgumentHelp("Stop after this many feed messages.", valueName: "n"))
            var maxMessages: Int?

            @Option(name: .long, help: ArgumentHelp("Stop after this many seconds.", valueName: "s"))
            var seconds: Double?

            func validate() throws {
                for (name, text) in [("--group", group), ("--retransmission", retransmission), ("--snapshot", snapshot)] {
                    guard IPv4Endpoint(parsing: text) != nil else { throw ValidationError("\(name): '\(text)' is not an IPv4 host:port") }
                }
                guard IPv4Endpoint(parsing: group)!.isMulticast else { throw ValidationError("--group: \(group) is not a multicast group") }
                if let maxMessages, maxMessages <= 0 { throw ValidationError("--max-messages must be positive") }
                if let seconds, !(seconds > 0) { throw ValidationError("--seconds must be positive") }
                _ = try stockFilter()
            }

            func stockFilter() throws -> [ITCHStock] {
                guard let symbols else { return [] }
                return try symbols.split(separator: ",").map { name in
                    let trimmed = String(name.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
                    guard let stock = ITCHStock(trimmed.uppercased()) else {
                        throw ValidationError("--symbols: '\(trimmed)' is not a symbol of 1–8 characters")
                    }
                    return stock
                }
            }

            func run() throws {
                let filter = try stockFilter()
                var configuration = FeedSubscriberConfiguration(
                    group: IPv4Endpoint(parsing: group)!, interface: MulticastInterface(parsing: interface),
                    retransmission: IPv4Endpoint(parsing: retransmission)!, snapshot: IPv4Endpoint(parsing: snapshot)!)
                configuration.joinFromSnapshot = fromSnapshot
                configuration.snapshotSymbols = filter
                configuration.maximumMessages = maxMessages
                configuration.runSeconds = seconds
                let wanted = Set(filter)

                // Ctrl-C and SIGTERM are taken synchronously between polls, so the
                // loop ends cleanly and prints its summary.
                ShutdownSignals.block()
                let subscriber: FeedSubscriber
                do { subscriber = try FeedSubscriber(configuration: configuration) } catch {
                    standardError("error: \(error)")
                    throw ExitCode(1)
                }
                standardError("listening on \(subscriber.groupEndpoint) via \(configuration.interface)"
                              + (fromSnapshot ? ", snapshot from \(snapshot)" : ""))
                // Stock names by locate, from the directory messages: the events are
                // reported while the subscriber's book is being updated, so the
                // printer keeps its own table instead of reading the book.
                var stocks: [SymbolIndex: ITCHStock] = [:]
                let stop: FeedSubscriberStop
                do {
                    stop = try subscriber.run(shouldStop: { ShutdownSignals.wait(milliseconds: 0) != nil }) { event in
                        show(event, stocks: &stocks, wanted: wanted)
                    }
                } catch {
                    standardError("error: \(error)")
                    throw ExitCode(1)
                }
                let s = subscriber.sequencer.statistics
                standardError("stopped (\(stop)): \(s.messagesApplied) messages applied, next \(subscriber.sequencer.nextSequenceNumber), "
                              + "\(s.retransmissionRequests) retransmission requests, \(s.duplicateMessages) duplicates, "
                              + "\(s.wrongSessionPackets) wrong-session packets, \(s.bookErrors) book errors")
                if s.bookErrors > 0 || s.undecodableMessages > 0 { throw ExitCode(2) }
            }

            func show(_ event: FeedSubscriberEvent, stocks: inout [SymbolIndex: ITCHStock], wanted: Set<ITCHStock>) {
                if case .sequencer(.message(.stockDirectory(let directory), _)) = event {
                    stocks[directory.header.stockLocate] = directory.stock
                }
                let table = stocks
                func shown(_ locate: SymbolIndex) -> Bool {
                    wanted.isEmpty || table[locate].map(wanted.contains) == true
                }
                switch event {
                case .sequencer(.message(let message, let sequence)):
                    guard verbose, message.header.stockLocate == .none || shown(message.header.stockLocate) else { return }
                    standardOutput(FeedText.message(message, sequenceNumber: sequence, stock: { table[$0] }))
                case .sequencer(.bestBidOffer(let locate, let stock, let bbo)):
                    guard !verbose, shown(locate) else { return }
                    standardOutput(FeedText.quote(stock: stock?.description ?? "locate \(locate.rawValue)", bbo))
                case .sequencer(.undecodable(let sequence, let error)):
                    standardError("message \(sequence.map(String.init) ?? "in snapshot"): \(error)")
                case .sequencer(.bookError(_, let sequence, let error)):
                    standardError("message \(sequence.map(String.init) ?? "in snapshot") not applied: \(error)")
                case .sequencer(.snapshotApplied(let count, let last)):
                    standardError("snapshot: \(count) messages, joining the feed at \(last + 1)")
                case .retransmissionRequested(let request, let gap, let attempt):
                    standardError("gap: \(gap); requesting \(request.requestedMessageCount) from \(request.sequenceNumber)"
                                  + (attempt > 1 ? " (attempt \(attempt))" : ""))
                case .malformedPacket(let error):
                    standardError("dropped packet: \(error)")
                case .droppedOnPurpose:
                    break
                }
            }
        }
    }
}

/// One line on stdout, written at once (not held in a buffer when stdout is a pipe).
private func standardOutput(_ line: String) { writeLine(line, to: STDOUT_FILENO) }

private func standardError(_ line: String) { writeLine(line, to: STDERR_FILENO) }

private func writeLine(_ line: String, to fd: Int32) {
    var text = line + "\n"
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
