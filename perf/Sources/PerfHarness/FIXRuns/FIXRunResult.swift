/// One run's figures, as printed and written to JSON.
public struct FIXRunResult: Sendable, Codable {
    public var target: FIXRunTarget
    public var address: String
    public var inFlight: Int
    public var result: LoadResult

    public init(target: FIXRunTarget, address: HostPort, result: LoadResult) {
        self.target = target
        self.address = address.description
        self.inFlight = result.load.inFlight
        self.result = result
    }
}
