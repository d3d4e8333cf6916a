import GatewayCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The gateway's data directory: created if missing, and locked for the life of the
/// process so that two gateways can never append to the same journal.
public final class DataDirectory {
    public let path: String
    private var lockDescriptor: Int32

    public var journalPath: String { path + "/journal" }

    /// Creates the directory (and parents) and takes an exclusive lock on its LOCK file.
    public init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError(key: "data_dir", value: path, expected: "a directory the gateway can create and write (\(error.localizedDescription))")
        }
        let fd = open(path + "/LOCK", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ConfigurationError(key: "data_dir", value: path, expected: "a writable directory (open LOCK: \(String(cString: strerror(errno))))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw ConfigurationError(key: "data_dir", value: path, expected: "a data directory no other gateway process is using (its LOCK is held)")
        }
        lockDescriptor = fd
    }

    /// Gives the directory up: another gateway may use it from now on. Idempotent.
    public func unlock() {
        guard lockDescriptor >= 0 else { return }
        flock(lockDescriptor, LOCK_UN)
        close(lockDescriptor)
        lockDescriptor = -1
    }

    deinit { unlock() }
}
