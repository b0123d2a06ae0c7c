// The message bus: an actor owning, per topic, the continuations of its subscribers' AsyncStreams.
// Publishing never waits on a subscriber; a subscriber's stream ending (cancel, drop) unsubscribes it.

/// A typed publish/subscribe hub. Any number of subscribers per topic, each with its own `AsyncStream`.
///
/// ```swift
/// let bus = Bus()
/// let tokens = await bus.subscribe(.generation)          // subscribe before producing
/// await bus.publish(.started(request: id), on: .generation)
/// for await event in tokens { ... }
/// await bus.shutdown()                                   // finishes every stream
/// ```
public actor Bus {
    private struct Key: Hashable {
        let name: String
        let type: ObjectIdentifier
    }

    private var sinks: [Key: any SinkSetProtocol] = [:]
    private var nextID = 0
    private var isShutDown = false
    private var requestCounter: UInt64 = 0
    /// Messages published since the bus started (for the bus-rate metric).
    public private(set) var publishedCount = 0

    public init() {}

    /// Subscribes to `topic`; the stream buffers per the topic's `Delivery`. After `shutdown()` the stream is finished.
    public func subscribe<M: Sendable>(_ topic: Topic<M>) -> AsyncStream<M> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: M.self, bufferingPolicy: topic.delivery.bufferingPolicy(for: M.self))
        if isShutDown {
            continuation.finish()
            return stream
        }
        let key = Key(name: topic.name, type: ObjectIdentifier(M.self))
        let id = nextID
        nextID += 1
        let set = (sinks[key] as? SinkSet<M>) ?? SinkSet<M>()
        set.continuations[id] = continuation
        sinks[key] = set
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(key, id) }
        }
        return stream
    }

    /// Delivers `message` to every current subscriber of `topic`, in publish order per publisher.
    public func publish<M: Sendable>(_ message: M, on topic: Topic<M>) {
        guard !isShutDown else { return }
        publishedCount &+= 1
        guard let set = sinks[Key(name: topic.name, type: ObjectIdentifier(M.self))] as? SinkSet<M> else { return }
        for continuation in set.continuations.values { continuation.yield(message) }
    }

    /// Number of live subscribers on `topic` (tests use it to check that ended streams unsubscribe).
    public func subscriberCount<M: Sendable>(_ topic: Topic<M>) -> Int {
        sinks[Key(name: topic.name, type: ObjectIdentifier(M.self))]?.count ?? 0
    }

    /// Total live subscribers over all topics.
    public var totalSubscriberCount: Int { sinks.values.reduce(0) { $0 + $1.count } }

    /// Finishes every subscriber's stream; later subscribes get finished streams and publishes are dropped.
    public func shutdown() {
        isShutDown = true
        let all = sinks.values
        sinks = [:]
        for set in all { set.finishAll() }
    }

    func nextRequestID() -> UInt64 {
        requestCounter &+= 1
        return requestCounter
    }

    private func unsubscribe(_ key: Key, _ id: Int) {
        guard let set = sinks[key] else { return }
        set.remove(id)
        if set.count == 0 { sinks[key] = nil }
    }
}

private protocol SinkSetProtocol: AnyObject {
    var count: Int { get }
    func remove(_ id: Int)
    func finishAll()
}

/// The continuations of one topic; only touched inside the `Bus` actor.
private final class SinkSet<M: Sendable>: SinkSetProtocol {
    var continuations: [Int: AsyncStream<M>.Continuation] = [:]
    var count: Int { continuations.count }
    func remove(_ id: Int) { continuations[id] = nil }
    func finishAll() {
        let all = continuations.values
        continuations = [:]
        for continuation in all { continuation.finish() }
    }
}
