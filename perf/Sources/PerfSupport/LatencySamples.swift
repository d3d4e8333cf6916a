import Benchmark

/// Preallocated storage for latency samples taken inside a measured run, handed to
/// the benchmark framework's histogram afterwards (outside the measurement, so that
/// the framework's own bookkeeping is not timed and not counted as allocations).
///
/// Owned by one thread at a time: the worker appends during a job, the benchmark
/// thread reports after `finish()`.
public final class LatencySamples: @unchecked Sendable {
    public let capacity: Int
    @usableFromInline let storage: UnsafeMutablePointer<Int64>
    @usableFromInline var filled = 0

    public init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
        // Touch every page now, not during the first measured run.
        storage.initialize(repeating: 0, count: capacity)
    }

    deinit { storage.deallocate() }

    public var count: Int { filled }

    /// Stores one sample; beyond `capacity` samples are dropped (and counted in
    /// `count` no further), so a bad configuration cannot write out of bounds.
    @inlinable
    public func append(_ nanoseconds: Int64) {
        if filled < capacity {
            storage[filled] = nanoseconds
            filled &+= 1
        }
    }

    public func removeAll() { filled = 0 }

    /// Adds every sample to `metric`'s histogram and empties the buffer. Call after
    /// `benchmark.stopMeasurement()`.
    public func report(to benchmark: Benchmark, as metric: BenchmarkMetric) {
        for index in 0..<filled {
            benchmark.measurement(metric, Int(storage[index]))
        }
        filled = 0
    }
}
