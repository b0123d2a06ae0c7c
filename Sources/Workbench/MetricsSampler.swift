// Samples process and generation telemetry once per interval on an injected clock and publishes a
// MetricsSample: RSS from /proc/self/statm, CPU from /proc/self/stat, token rates, TTFT and KV fill from
// generation events, and the bus message rate.
import Bus
import Foundation

/// Reads resident bytes and CPU ticks (utime + stime) of this process.
public struct ProcessStats: Sendable, Equatable {
    public var residentBytes: Int
    public var cpuSeconds: Double

    public init(residentBytes: Int, cpuSeconds: Double) {
        self.residentBytes = residentBytes
        self.cpuSeconds = cpuSeconds
    }

    public static func current() -> ProcessStats? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let pages = residentPages(statm: statm), let ticks = cpuTicks(stat: stat) else { return nil }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let hz = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
        return ProcessStats(residentBytes: pages * pageSize, cpuSeconds: Double(ticks) / hz)
    }

    /// Second field of statm: resident pages.
    public static func residentPages(statm: String) -> Int? {
        let fields = statm.split(separator: " ")
        return fields.count > 1 ? Int(fields[1]) : nil
    }

    /// utime + stime (fields 14 and 15); the command name may hold spaces, so count after the last ')'.
    public static func cpuTicks(stat: String) -> Int? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }
}

public actor MetricsSampler<C: Clock> where C.Duration == Duration {
    private let bus: Bus
    private let clock: C
    private let interval: Duration
    private let readProcess: @Sendable () -> ProcessStats?
    private var loop: Task<Void, Never>?
    private var listener: Task<Void, Never>?
    private var generationRate = 0.0, promptRate = 0.0, ttft = 0.0, kvFill = 0.0
    private var previousProcess: ProcessStats?
    private var previousCount = 0
    private var elapsed = 0.0
    /// Generation events seen so far (tests wait on it instead of sleeping).
    public private(set) var observedEvents = 0

    public init(bus: Bus, clock: C, interval: Duration = .seconds(1),
                readProcess: @escaping @Sendable () -> ProcessStats? = { ProcessStats.current() }) {
        self.bus = bus
        self.clock = clock
        self.interval = interval
        self.readProcess = readProcess
    }

    /// Subscribes to generation events, then publishes a sample after every interval until `stop()`.
    public func start() async {
        guard loop == nil else { return }
        let events = await bus.subscribe(.generation)
        listener = Task { [weak self] in
            for await event in events { await self?.observe(event) }
        }
        previousProcess = readProcess()
        previousCount = await bus.publishedCount
        loop = Task { [weak self, clock, interval] in
            while !Task.isCancelled {
                do { try await clock.sleep(for: interval) } catch { return }
                guard let self else { return }
                await self.publishSample()
            }
        }
    }

    public func stop() {
        loop?.cancel()
        listener?.cancel()
        loop = nil
        listener = nil
    }

    func observe(_ event: GenerationEvent) {
        observedEvents += 1
        switch event {
        case .started: break
        case .token(_, _, let stats):
            generationRate = stats.tokensPerSecond
            if stats.contextSize > 0 { kvFill = Double(stats.contextUsed) / Double(stats.contextSize) }
        case .finished(_, let info):
            generationRate = 0
            promptRate = info.promptTokensPerSecond
            ttft = info.timeToFirstToken
        case .failed: generationRate = 0
        }
    }

    private func publishSample() async {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) * 1e-18
        elapsed += seconds
        let process = readProcess()
        var cpu = 0.0
        if let process, let previous = previousProcess, seconds > 0 {
            cpu = max(0, (process.cpuSeconds - previous.cpuSeconds) / seconds * 100)
        }
        previousProcess = process ?? previousProcess
        let count = await bus.publishedCount
        let busRate = Double(count - previousCount) / max(seconds, 1e-9)
        previousCount = count + 1      // the sample itself is a message
        let sample = MetricsSample(time: elapsed, promptTokensPerSecond: promptRate,
                                   generationTokensPerSecond: generationRate, timeToFirstToken: ttft,
                                   residentBytes: process?.residentBytes ?? 0, cpuPercent: cpu, kvFill: kvFill,
                                   busMessagesPerSecond: busRate)
        await bus.publish(sample, on: .metrics)
    }
}
