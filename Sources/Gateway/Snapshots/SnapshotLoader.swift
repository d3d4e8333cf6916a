import Foundation
import GatewayCore
import Journal

/// Finding the snapshot a start-up can use.
enum SnapshotLoader {
    /// The newest snapshot that is intact, was made under this configuration, covers a
    /// record the journal holds as recorded, and loads into `makeState()` with the digest
    /// it was written with. Each one passed over is logged with the reason.
    static func newestUsable(
        in directory: SnapshotDirectory, journalDirectory: String, fingerprint: UInt64,
        makeState: () throws -> ReplayedState
    ) throws -> (state: ReplayedState, position: JournalPosition, body: [UInt8])? {
        for file in directory.files() {
            let name = (file.path as NSString).lastPathComponent
            guard let data = FileManager.default.contents(atPath: file.path) else {
                Log.info("recovery: snapshot \(name) not used: it cannot be read")
                continue
            }
            do {
                let snapshot = try data.withUnsafeBytes { try StateSnapshotFile(decoding: $0) }
                guard snapshot.fingerprint == fingerprint else {
                    Log.info("recovery: snapshot \(name) not used: it was made under another configuration (symbols, accounts, limits or FIX sessions changed)")
                    continue
                }
                if let problem = JournalRecovery.mismatch(of: snapshot.position, directory: journalDirectory) {
                    Log.info("recovery: snapshot \(name) not used: it does not belong to this journal: \(problem)")
                    continue
                }
                let state = try makeState()
                try snapshot.body.withUnsafeBytes { try state.readBody($0) }
                let digest = state.engine.snapshotDigest()
                guard digest == snapshot.engineDigest else {
                    Log.info("recovery: snapshot \(name) not used: the loaded engine's digest \(digest) is not the recorded \(snapshot.engineDigest)")
                    continue
                }
                return (state, snapshot.position, snapshot.body)
            } catch let error as SnapshotFormatError {
                Log.info("recovery: snapshot \(name) not used: \(error)")
            }
        }
        return nil
    }
}
