import Atomics
import CPerfSupport

/// Lets the threads of one measured run start together: each calls ``arrive(run:)``
/// after waking and spins until all have, so that the time one thread takes to wake
/// from its semaphore (milliseconds, at times, on a VM) is not counted against the
/// others' run.
///
/// The benchmark thread numbers the runs 1, 2, 3, … and hands the number to every
/// participant before waking them; run `n` is open once `n × participants` arrivals
/// have been counted.
public final class StartLine: Sendable {
    public let participants: Int
    private let arrivals = ManagedAtomic<Int>(0)

    public init(participants: Int) {
        self.participants = participants
    }

    /// Counts this thread in for run `run` and busy-waits for the others.
    public func arrive(run: Int) {
        // Acquiring and releasing: what each participant did before arriving is
        // visible to every participant after it leaves.
        arrivals.wrappingIncrement(ordering: .acquiringAndReleasing)
        let open = run &* participants
        // Acquiring: pairs with the other participants' increments.
        while arrivals.load(ordering: .acquiring) < open {
            cift_perf_cpu_relax()
        }
    }
}
