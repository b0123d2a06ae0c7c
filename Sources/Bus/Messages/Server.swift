// The HTTP server run from the TUI: start/stop commands and the server's events (started, a status
// sample about once a second, stopped, failed). Topics are declared here, next to their messages.

/// How to serve: bind address, slots and context per slot, optional API key.
public struct ServerSettings: Sendable, Equatable, Codable {
    public var host: String
    public var port: Int
    public var parallel: Int
    public var contextLength: Int
    public var apiKey: String?

    public init(host: String = "127.0.0.1", port: Int = 8080, parallel: Int = 4, contextLength: Int = 2048,
                apiKey: String? = nil) {
        self.host = host
        self.port = port
        self.parallel = parallel
        self.contextLength = contextLength
        self.apiKey = apiKey
    }
}

public enum ServerCommand: Sendable, Equatable {
    case start(modelPath: String, ServerSettings)
    case stop
}

/// What the Metrics pane shows of a running server.
public struct ServerStatus: Sendable, Equatable {
    public var requests: Int
    public var failedRequests: Int
    public var inFlight: Int
    public var activeSequences: Int
    public var slots: Int
    public var waiting: Int
    public var promptTokens: Int
    public var generatedTokens: Int
    /// Generated tokens per second over the last sample interval, all streams together.
    public var tokensPerSecond: Double
    /// KV cache positions used by active sequences, and the pool's total.
    public var kvUsed: Int
    public var kvCapacity: Int
    public var lastTimeToFirstToken: Double

    public init(requests: Int = 0, failedRequests: Int = 0, inFlight: Int = 0, activeSequences: Int = 0, slots: Int = 0,
                waiting: Int = 0, promptTokens: Int = 0, generatedTokens: Int = 0, tokensPerSecond: Double = 0,
                kvUsed: Int = 0, kvCapacity: Int = 0, lastTimeToFirstToken: Double = 0) {
        self.requests = requests
        self.failedRequests = failedRequests
        self.inFlight = inFlight
        self.activeSequences = activeSequences
        self.slots = slots
        self.waiting = waiting
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.tokensPerSecond = tokensPerSecond
        self.kvUsed = kvUsed
        self.kvCapacity = kvCapacity
        self.lastTimeToFirstToken = lastTimeToFirstToken
    }
}

public enum ServerEvent: Sendable, Equatable {
    case starting(model: String)
    case started(url: String, model: String)
    case status(ServerStatus)
    case stopped
    case failed(String)
}

public extension Topic where Message == ServerCommand {
    static var serverCommands: Topic { Topic(name: "server.command", delivery: .reliable) }
}
public extension Topic where Message == ServerEvent {
    /// Reliable: started/stopped must never be dropped, and status comes only once a second.
    static var serverEvents: Topic { Topic(name: "server.event", delivery: .reliable) }
}
