// Typed topics and their delivery policy: every topic says on purpose whether it may drop (STYLE B3).
// `.reliable` is an unbounded buffer (commands, token streams); `.latest(n)` keeps the newest n (telemetry).

/// How a topic buffers for a subscriber that reads slower than the publisher writes.
public enum Delivery: Sendable, Equatable {
    /// Unbounded buffer: nothing is ever dropped. Use for commands and for the token stream.
    case reliable
    /// Keep only the newest `n` undelivered messages per subscriber. Use for high-rate telemetry.
    case latest(Int)

    func bufferingPolicy<M>(for _: M.Type) -> AsyncStream<M>.Continuation.BufferingPolicy {
        switch self {
        case .reliable: .unbounded
        case .latest(let n): .bufferingNewest(max(1, n))
        }
    }
}

/// A named channel carrying one message type. Two topics are the same channel when name and type match.
public struct Topic<Message: Sendable>: Sendable {
    public let name: String
    public let delivery: Delivery

    public init(name: String, delivery: Delivery) {
        self.name = name
        self.delivery = delivery
    }
}

public extension Topic where Message == ChatCommand {
    static var chat: Topic { Topic(name: "chat.command", delivery: .reliable) }
}
public extension Topic where Message == ChatEvent {
    static var chatEvents: Topic { Topic(name: "chat.event", delivery: .reliable) }
}
public extension Topic where Message == GenerationEvent {
    static var generation: Topic { Topic(name: "engine.generation", delivery: .reliable) }
}
public extension Topic where Message == ModelCommand {
    static var modelCommands: Topic { Topic(name: "model.command", delivery: .reliable) }
}
public extension Topic where Message == ModelEvent {
    static var modelEvents: Topic { Topic(name: "model.event", delivery: .reliable) }
}
public extension Topic where Message == MetricsSample {
    static var metrics: Topic { Topic(name: "metrics.sample", delivery: .latest(8)) }
}
public extension Topic where Message == TrainCommand {
    static var trainCommands: Topic { Topic(name: "train.command", delivery: .reliable) }
}
public extension Topic where Message == TrainEvent {
    static var trainEvents: Topic { Topic(name: "train.event", delivery: .latest(64)) }
}
public extension Topic where Message == DownloadCommand {
    static var downloadCommands: Topic { Topic(name: "download.command", delivery: .reliable) }
}
public extension Topic where Message == DownloadEvent {
    // Reliable: search answers and final states must arrive; progress is already throttled to ~5/s per download.
    static var downloadEvents: Topic { Topic(name: "download.event", delivery: .reliable) }
}
public extension Topic where Message == QuantizeCommand {
    static var quantizeCommands: Topic { Topic(name: "quantize.command", delivery: .reliable) }
}
public extension Topic where Message == QuantizeEvent {
    // Reliable: each tensor's row is shown, and a run publishes a few hundred events at most.
    static var quantizeEvents: Topic { Topic(name: "quantize.event", delivery: .reliable) }
}
