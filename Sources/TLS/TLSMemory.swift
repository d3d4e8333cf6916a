import CCiftTLS

/// OpenSSL's memory, as the gateway serves it (Sources/CCiftTLS/cift_tls_memory.c): the
/// small blocks OpenSSL 3.0 asks for on every record come from a per-thread cache of
/// blocks it freed before, not from malloc. specs/network.md, "TLS" → "Memory".
public enum TLSMemory {
    /// What one thread asked of OpenSSL's memory functions.
    public struct Statistics: Equatable, Sendable {
        /// Small blocks (512 bytes or less) OpenSSL asked for.
        public var requests: UInt64
        /// Those served from the thread's cache (no malloc).
        public var cacheHits: UInt64
        /// Those served by libc's malloc (the cache was empty).
        public var libcAllocations: UInt64
    }

    /// Whether OpenSSL took the gateway's memory functions. They are installed when the
    /// library loads, before any OpenSSL call; false only if something in the process
    /// had made OpenSSL allocate first (OpenSSL then keeps libc's).
    public static var isInstalled: Bool { cift_tls_memory_installed() == 1 }

    /// The calling thread's counts since it started.
    public static var threadStatistics: Statistics {
        let s = cift_tls_memory_thread_stats()
        return Statistics(requests: UInt64(s.requests), cacheHits: UInt64(s.cache_hits), libcAllocations: UInt64(s.libc_allocations))
    }
}
