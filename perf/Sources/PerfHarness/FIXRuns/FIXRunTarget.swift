/// What a FIX round-trip run is pointed at.
public enum FIXRunTarget: String, Sendable, Codable, CaseIterable {
    /// The CIFT Gateway (started by the harness or given with --target).
    case gateway
    /// The QuickFIX C++ acceptor (perf/quickfix-acceptor).
    case quickfix
    /// The in-process TCP echo server: the same bytes with nothing in between.
    case floor
    /// The CIFT Gateway's TLS listener (`[tls]`), same process as `gateway`.
    case gatewayTLS = "gateway-tls"
    /// The echo server behind TLS (same PKI): the TLS transport's cost without the gateway.
    case floorTLS = "floor-tls"

    public var title: String {
        switch self {
        case .gateway: "CIFT gateway"
        case .quickfix: "QuickFIX/C++"
        case .floor: "TCP floor"
        case .gatewayTLS: "CIFT gateway TLS"
        case .floorTLS: "TCP floor TLS"
        }
    }
}
