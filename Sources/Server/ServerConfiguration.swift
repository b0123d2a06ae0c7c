// How `lathe serve` (or the TUI) runs the server.

public struct ServerConfiguration: Sendable, Equatable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (reported by `onRunning`).
    public var port = 8080
    /// When set, /v1/* requires `Authorization: Bearer <key>`.
    public var apiKey: String?
    /// Sequences decoded together (slots in the KV cache pool).
    public var parallel = 4
    /// Context length of each slot.
    public var contextLength = 2048
    /// Requests that may wait for a slot; more get 429.
    public var maxWaiting = 64
    /// Prompt tokens processed per step alongside the decoding sequences.
    public var prefillChunk = 64
    /// Largest request body accepted.
    public var maxBodyBytes = 8 << 20

    public init() {}
}
