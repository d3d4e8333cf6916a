import CLiburing
import POSIX

#if canImport(Glibc)
import Glibc
#endif

/// What a `NetworkLoop` on epoll owns: the epoll instance, the array its
/// events land in, and the one buffer every socket is read into (the handler
/// copies what it keeps before the next read). Level-triggered throughout.
/// Loop thread only.
final class EpollBackend {
    let descriptor: Int32
    let readBuffer: UnsafeMutableRawPointer
    let readBufferSize: Int
    private let events: UnsafeMutablePointer<epoll_event>
    let eventCapacity: Int

    init(readBufferSize: Int, eventCapacity: Int) throws(NetworkError) {
        descriptor = Int32(try SystemCall.run("epoll_create1(EPOLL_CLOEXEC)", as: NetworkError.self) { Int(epoll_create1(Int32(EPOLL_CLOEXEC))) })
        self.readBufferSize = readBufferSize
        readBuffer = .allocate(byteCount: readBufferSize, alignment: 64)
        self.eventCapacity = eventCapacity
        events = .allocate(capacity: eventCapacity)
        events.initialize(repeating: epoll_event(), count: eventCapacity)
    }

    deinit {
        SystemCall.release(descriptor)
        readBuffer.deallocate()
        events.deallocate()
    }

    static let readable = EPOLLIN.rawValue
    static let writable = EPOLLOUT.rawValue
    static let hangUpOrError = EPOLLHUP.rawValue | EPOLLERR.rawValue

    /// Registers, changes or removes `socket`'s interest: `events == 0`
    /// removes it, `registered` says whether it is registered now.
    /// Corresponds to epoll_ctl(EPOLL_CTL_ADD / MOD / DEL).
    func update(_ socket: Int32, registered: UInt32, events mask: UInt32, tag: CompletionTag) throws(NetworkError) {
        var event = epoll_event()
        event.events = mask
        event.data.u64 = tag.rawValue
        if registered == 0 {
            _ = try SystemCall.run("epoll_ctl(EPOLL_CTL_ADD)", as: NetworkError.self) { Int(epoll_ctl(descriptor, EPOLL_CTL_ADD, socket, &event)) }
        } else if mask == 0 {
            _ = try SystemCall.run("epoll_ctl(EPOLL_CTL_DEL)", as: NetworkError.self) { Int(epoll_ctl(descriptor, EPOLL_CTL_DEL, socket, &event)) }
        } else {
            _ = try SystemCall.run("epoll_ctl(EPOLL_CTL_MOD)", as: NetworkError.self) { Int(epoll_ctl(descriptor, EPOLL_CTL_MOD, socket, &event)) }
        }
    }

    /// Waits up to `timeoutMilliseconds` (0: just poll) for events; returns
    /// how many are in the event array. A signal returns 0.
    func wait(timeoutMilliseconds: Int32) throws(NetworkError) -> Int {
        try SystemCall.wait("epoll_wait", as: NetworkError.self) { Int(epoll_wait(descriptor, events, Int32(eventCapacity), timeoutMilliseconds)) }
    }

    /// Event `index` of the last wait: what happened and the tag.
    @inline(__always)
    func event(at index: Int) -> (events: UInt32, tag: CompletionTag) {
        let event = events[index]
        return (event.events, CompletionTag(rawValue: event.data.u64))
    }
}
