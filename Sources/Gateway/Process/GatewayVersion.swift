/// The gateway's version, printed by `cift-gateway --version` and at start-up. Bumped
/// with each release of the venue's rules of engagement (specs/); the journal and store
/// formats carry their own version numbers in their headers.
public enum GatewayVersion {
    public static let current = "0.10.0"
}
