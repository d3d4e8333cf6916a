import Network

/// `threading.mode` as the configuration file spells it: `"auto"` (nil: chosen from the
/// CPUs at start) or a ``ThreadingMode``'s name.
struct ThreadingModeSetting: RawRepresentable, CaseIterable {
    let mode: ThreadingMode?

    init(_ mode: ThreadingMode?) { self.mode = mode }

    init?(rawValue: String) {
        if rawValue == "auto" {
            mode = nil
        } else if let mode = ThreadingMode(rawValue: rawValue) {
            self.mode = mode
        } else {
            return nil
        }
    }

    var rawValue: String { mode?.rawValue ?? "auto" }

    static var allCases: [ThreadingModeSetting] { [ThreadingModeSetting(nil)] + ThreadingMode.allCases.map(Self.init) }
}

/// `network.backend` as the configuration file spells it: `"auto"`, `"io_uring"` or `"epoll"`.
struct NetworkBackendSetting: RawRepresentable, CaseIterable {
    let backend: NetworkConfiguration.Backend

    init(_ backend: NetworkConfiguration.Backend) { self.backend = backend }

    init?(rawValue: String) {
        if rawValue == "auto" {
            backend = .automatic
        } else if rawValue != NetworkConfiguration.Backend.automatic.rawValue,
            let backend = NetworkConfiguration.Backend(rawValue: rawValue)
        {
            self.backend = backend
        } else {
            return nil
        }
    }

    var rawValue: String { backend == .automatic ? "auto" : backend.rawValue }

    static var allCases: [NetworkBackendSetting] { NetworkConfiguration.Backend.allCases.map(Self.init) }
}
