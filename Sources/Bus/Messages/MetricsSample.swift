// One sample of process and engine telemetry, published about once a second on a `.latest` topic.

public struct MetricsSample: Sendable, Equatable {
    /// Seconds since the sampler started.
    public var time: Double
    public var promptTokensPerSecond: Double
    public var generationTokensPerSecond: Double
    /// Time to first token of the latest reply, seconds.
    public var timeToFirstToken: Double
    public var residentBytes: Int
    /// Process CPU use over the last interval; 100 = one core busy.
    public var cpuPercent: Double
    /// KV cache fill in 0...1.
    public var kvFill: Double
    public var busMessagesPerSecond: Double

    public init(time: Double, promptTokensPerSecond: Double = 0, generationTokensPerSecond: Double = 0,
                timeToFirstToken: Double = 0, residentBytes: Int = 0, cpuPercent: Double = 0, kvFill: Double = 0,
                busMessagesPerSecond: Double = 0) {
        self.time = time
        self.promptTokensPerSecond = promptTokensPerSecond
        self.generationTokensPerSecond = generationTokensPerSecond
        self.timeToFirstToken = timeToFirstToken
        self.residentBytes = residentBytes
        self.cpuPercent = cpuPercent
        self.kvFill = kvFill
        self.busMessagesPerSecond = busMessagesPerSecond
    }
}
