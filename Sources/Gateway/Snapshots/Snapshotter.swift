import Atomics
import CCiftSystem
import Foundation
import GatewayCore
import Journal
import Matching

/// The snapshot thread (specs/snapshots.md): a replica of what journal replay rebuilds
/// (``ReplayedState``) that follows the journal behind the engine and every so many
/// commands writes itself to a snapshot file. A restart then loads the newest snapshot
/// and replays only the journal after it (exchange-core's model).
///
/// Nothing of this is on the engine's path: the replica reads the journal files with
/// `pread`, as far as the stores are known to hold every answer (``AnswerWatermarks``),
/// on a thread that runs only when a core would otherwise idle (SCHED_IDLE). The engine
/// thread neither waits for it nor copies anything for it; the cost is a second copy of
/// the books in memory and the replica's share of an idle core.
final class Snapshotter: @unchecked Sendable {
    struct Settings {
        /// A snapshot once the replica is this many commands past the last one.
        var everyCommands: Int
        /// Snapshot files kept (the newest).
        var keep = 2
        /// `fsync` each snapshot (`journal.durability = "fsync"`; see `SnapshotDirectory.write`).
        var sync = false
        /// How long the thread sleeps when the journal has nothing new for it (each look
        /// costs a `pread` and a `stat`: five a second keep an idle gateway idle).
        var idleSleepNanoseconds: Int64 = 200_000_000
        /// Commands applied between two looks at the stop flag (a few milliseconds' work).
        var chunk = 8_192
    }

    let settings: Settings
    private let replica: ReplayedState
    private let reader: JournalTailReader
    private let directory: SnapshotDirectory
    private let fingerprint: UInt64
    private let watermarks: AnswerWatermarks
    private let stopRequested = ManagedAtomic(false)
    private let exited = ManagedAtomic(false)
    /// The thread's kernel id, for giving it its priority back at stop.
    private let threadID = ManagedAtomic<Int32>(0)
    /// Snapshots written, and the sequence of the last (for logs and tests; any thread).
    let written = ManagedAtomic<UInt64>(0)
    let lastSequence: ManagedAtomic<UInt64>
    private var thread: Thread?

    /// `replica` is at `position` (the snapshot the start-up loaded, or nil: the
    /// beginning of the journal, with a new state).
    init(replica: ReplayedState, position: JournalPosition?, journalDirectory: String, directory: SnapshotDirectory,
         fingerprint: UInt64, watermarks: AnswerWatermarks, settings: Settings) throws {
        self.replica = replica
        self.settings = settings
        self.directory = directory
        self.fingerprint = fingerprint
        self.watermarks = watermarks
        reader = try JournalTailReader(directory: journalDirectory, after: position)
        lastSequence = ManagedAtomic(position?.sequence ?? 0)
    }

    /// Starts the thread and returns once it runs, named and at idle priority.
    func start() {
        let running = ManagedAtomic(false)
        let thread = Thread { [self] in
            _ = "cift-snapshot".withCString { cift_thread_set_current_name($0) }
            _ = cift_thread_lower_to_idle_priority()
            // Relaxed: published by the releasing store of `running` just below.
            threadID.store(cift_thread_current_id(), ordering: .relaxed)
            // Releasing: the name, priority and id are set before `start` returns.
            running.store(true, ordering: .releasing)
            run()
            // Releasing: the replica's last writes happen-before `stop` returning.
            exited.store(true, ordering: .releasing)
        }
        thread.name = "cift-snapshot"
        self.thread = thread
        thread.start()
        EngineRuntime.waitUntil(running)
    }

    /// Stops the thread (a snapshot being written is finished first) and waits for it.
    /// On a busy machine an idle-priority thread could wait long for a core, so it gets
    /// the normal priority back first: it has at most one chunk of commands, or the
    /// snapshot it is writing, to finish.
    func stop() {
        guard thread != nil else { return }
        // Releasing/acquiring with the thread's check: a plain flag, nothing else rides on it.
        stopRequested.store(true, ordering: .releasing)
        // Relaxed: `start` waited for the thread's releasing store after this one.
        let id = threadID.load(ordering: .relaxed)
        if id > 0 { _ = cift_thread_restore_normal_priority(id) }
        EngineRuntime.waitUntil(exited)
        thread = nil
    }

    private func run() {
        var last = reader.position?.sequence ?? 0
        while !stopRequested.load(ordering: .acquiring) {
            let target = watermarks.storedThrough
            var applied = 0
            do {
                applied = try reader.read(through: target, limit: settings.chunk) { sequence, payload in
                    replica.apply(try CommandRecord.decode(payload), sequence: sequence)
                }
                if let position = reader.position, position.sequence >= last &+ UInt64(settings.everyCommands),
                   !stopRequested.load(ordering: .acquiring) {
                    try write(at: position)
                    last = position.sequence
                }
            } catch {
                // The journal is the record; snapshots only shorten a restart. Stop making
                // them, say why, and let the gateway run on.
                Log.error("snapshots: stopped, no more are written: \(error)")
                return
            }
            if applied == 0 {
                var pause = timespec(tv_sec: 0, tv_nsec: Int(settings.idleSleepNanoseconds))
                nanosleep(&pause, nil)
            }
        }
    }

    private func write(at position: JournalPosition) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        let file = StateSnapshotFile(
            position: position, fingerprint: fingerprint, engineDigest: replica.engine.snapshotDigest(), body: replica.writeBody())
        try directory.write(file, keep: settings.keep, sync: settings.sync)
        let milliseconds = (DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        Log.info("snapshots: state after command \(position.sequence) written (\(file.body.count) bytes, "
            + "\(replica.engine.openOrderCount) resting orders, \(milliseconds) ms)")
        // Releasing: the file is complete before a reader sees the count move.
        lastSequence.store(position.sequence, ordering: .releasing)
        written.wrappingIncrement(ordering: .releasing)
    }
}
