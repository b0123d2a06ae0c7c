// Request/response over two topics: the request goes out in an `Envelope` with a fresh id and the first
// reply carrying that id on the reply topic is returned, or `BusError.timeout` after the given duration.

/// A payload tagged with the id of the request it belongs to.
public struct Envelope<Payload: Sendable>: Sendable {
    public let id: UInt64
    public let payload: Payload
    public init(id: UInt64, payload: Payload) {
        self.id = id
        self.payload = payload
    }
}

public enum BusError: Error, Equatable, CustomStringConvertible {
    case timeout(topic: String)
    case shutDown(topic: String)

    public var description: String {
        switch self {
        case .timeout(let topic): "no reply on '\(topic)' before the timeout"
        case .shutDown(let topic): "the bus shut down while waiting for a reply on '\(topic)'"
        }
    }
}

extension Bus {
    /// Publishes `payload` on `topic` and waits for the matching reply on `replies`.
    ///
    /// ```swift
    /// let facts = try await bus.request(.scan, on: modelQueries, replyOn: modelAnswers, timeout: .seconds(2))
    /// ```
    public func request<Request: Sendable, Response: Sendable, C: Clock>(
        _ payload: Request, on topic: Topic<Envelope<Request>>, replyOn replies: Topic<Envelope<Response>>,
        timeout: Duration, clock: C
    ) async throws -> Response where C.Duration == Duration {
        let id = nextRequestID()
        let stream = subscribe(replies)     // subscribe before publishing so a fast responder is not missed
        publish(Envelope(id: id, payload: payload), on: topic)
        return try await withThrowingTaskGroup(of: Response?.self) { group in
            group.addTask {
                for await reply in stream where reply.id == id { return reply.payload }
                throw BusError.shutDown(topic: replies.name)
            }
            group.addTask {
                try await clock.sleep(for: timeout)
                throw BusError.timeout(topic: replies.name)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else {
                throw BusError.timeout(topic: replies.name)
            }
            return response
        }
    }

    /// `request` on the continuous clock.
    public func request<Request: Sendable, Response: Sendable>(
        _ payload: Request, on topic: Topic<Envelope<Request>>, replyOn replies: Topic<Envelope<Response>>,
        timeout: Duration
    ) async throws -> Response {
        try await request(payload, on: topic, replyOn: replies, timeout: timeout, clock: ContinuousClock())
    }

    /// Replies to `request` on `replies` with the same id.
    public func reply<Request: Sendable, Response: Sendable>(
        to request: Envelope<Request>, with response: Response, on replies: Topic<Envelope<Response>>
    ) {
        publish(Envelope(id: request.id, payload: response), on: replies)
    }
}
