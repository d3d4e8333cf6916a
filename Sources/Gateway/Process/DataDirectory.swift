import Foundation
import GatewayCore
import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// The gateway's data directory: created if missing, and locked for the life of the
/// process so that two gateways can never append to the same journal.
public final class DataDirectory {
    public let path: String
    /// The LOCK file, holding its `flock` while open (nil once given up).
    private var lock: FileDescriptor?

    public var journalPath: String { path + "/journal" }

    /// Creates the directory (and parents) and takes an exclusive lock on its LOCK file.
    public init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError(key: "data_dir", value: path, expected: "a directory the gateway can create and write (\(error.localizedDescription))")
        }
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(path + "/LOCK", flags: O_RDWR | O_CREAT)
        } catch {
            throw ConfigurationError(key: "data_dir", value: path, expected: "a writable directory (\(error))")
        }
        let locked: Bool
        do {
            locked = try file.tryLockExclusive()
        } catch {
            file.closeIgnoringErrors()
            throw ConfigurationError(key: "data_dir", value: path, expected: "a directory whose LOCK can be locked (\(error))")
        }
        guard locked else {
            file.closeIgnoringErrors()
            throw ConfigurationError(key: "data_dir", value: path, expected: "a data directory no other gateway process is using (its LOCK is held)")
        }
        lock = file
    }

    /// Gives the directory up: another gateway may use it from now on. Idempotent.
    public func unlock() {
        // Closing the only descriptor of the open file description releases its flock.
        lock?.closeIgnoringErrors()
        lock = nil
    }

    deinit { unlock() }
}
