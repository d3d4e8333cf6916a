import GatewayCore

/// A command on its way from the engine thread to the journal thread, with the sequence
/// number the engine gave it. A plain value: a ring slot copy.
struct JournalEntry: BitwiseCopyable {
    var sequence: UInt64
    var command: Command
}
