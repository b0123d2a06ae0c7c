// Runs training for the TUI: answers TrainCommands from the bus (pretrain, resume, pause, unpause, stop) and
// publishes the run's TrainEvents in order. Training is CPU-bound for minutes, so it runs on its own thread,
// never on the cooperative pool; pause/stop reach it through a lock-protected control value that the
// training loop reads between optimizer steps (stop and pause write a checkpoint first).
// A run's last event (stopped, finished, failed) is published only after the thread has finished its work
// (a stopped LoRA run still writes its adapter) and the service is free again, so a resume sent in answer
// to `.stopped` is never refused as "already in progress".
import Bus
import Foundation
import Synchronization
import Trainer

public actor TrainerService {
    private let bus: Bus
    private var listener: Task<Void, Never>?
    private var publisher: Task<Void, Never>?
    private let control = ControlBox()
    private let events: AsyncStream<TrainEvent>
    private let sink: AsyncStream<TrainEvent>.Continuation
    /// Whether a run's thread is working (set by the actor on launch, cleared by the thread itself).
    public var isRunning: Bool { control.running.withLock { $0 } }
    /// Where fine-tuning runs started from the TUI go, and whose runs `.listRuns` reports (nil: none).
    private let runsDirectory: String?

    public init(bus: Bus, runsDirectory: String? = nil) {
        self.bus = bus
        self.runsDirectory = runsDirectory
        (events, sink) = AsyncStream.makeStream(of: TrainEvent.self)
    }

    /// Subscribes to `.trainCommands` before returning, so no command sent afterwards is missed.
    public func start() async {
        guard listener == nil else { return }
        let bus = self.bus, events = self.events
        // One publisher keeps the training thread's events in order on the bus.
        publisher = Task {
            for await event in events { await bus.publish(event, on: .trainEvents) }
        }
        listener = await bus.deliver(.trainCommands, to: self) { await $0.handle($1) }
    }

    public func stop() {
        listener?.cancel()
        listener = nil
        control.value.withLock { $0 = .stop }
    }

    func handle(_ command: TrainCommand) {
        switch command {
        case .pretrain(let request):
            launch {
                guard let preset = ModelPreset(rawValue: request.preset) else {
                    throw TrainerError.badConfig("preset", "tiny or small (got '\(request.preset)')")
                }
                return try Pretraining.create(PretrainConfig(dataFiles: request.dataFiles, preset: preset,
                                                             steps: request.steps,
                                                             runDirectory: request.runDirectory, seed: request.seed))
            }
        case .fineTune(let request):
            let directory = request.runDirectory ?? newRunDirectory(for: request)
            launch { try FineTuning.create(try FineTuneConfig(request: request, runDirectory: directory)) }
        case .resume(let directory):
            launch {
                if FineTuning.isFineTuneRun(directory) { return try FineTuning.resume(runDirectory: directory) }
                return try Pretraining.resume(runDirectory: directory)
            }
        case .listRuns:
            sink.yield(.runs(runsDirectory.map { RunCatalog.scan($0) } ?? []))
        case .pause: control.value.withLock { if $0 == .run { $0 = .pause } }
        case .unpause: control.value.withLock { if $0 == .pause { $0 = .run } }
        case .stop: control.value.withLock { $0 = .stop }
        }
    }

    /// RUNS/<model>-<yyyyMMdd-HHmmss>: a fresh directory for a run started without one.
    private func newRunDirectory(for request: FineTuneRequest) -> String {
        let root = runsDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("lathe-runs").path
        let model = ((request.model as NSString).lastPathComponent as NSString).deletingPathExtension
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let base = (root as NSString).appendingPathComponent("\(request.method)-\(model)-\(formatter.string(from: Date()))")
        var path = base, n = 2
        while FileManager.default.fileExists(atPath: path) {
            path = "\(base)-\(n)"
            n += 1
        }
        return path
    }

    private func launch(_ make: @escaping @Sendable () throws -> any TrainingRun) {
        let sink = self.sink
        let free = control.running.withLock { running in
            defer { running = true }
            return !running
        }
        guard free else {
            sink.yield(.failed("a training run is already in progress"))
            return
        }
        control.value.withLock { $0 = .run }
        let thread = Thread { [control] in
            var last: TrainEvent?
            // Holds back the run's last event until the thread is done (see the header).
            let emit: (TrainEvent) -> Void = { event in
                switch event {
                case .stopped, .finished, .failed:
                    if let held = last { sink.yield(held) }
                    last = event
                default: sink.yield(event)
                }
            }
            do {
                let run = try make()
                _ = try run.train(control: { control.value.withLock { $0 } }, emit: emit)
            } catch {
                emit(.failed("\(error)"))
            }
            control.running.withLock { $0 = false }
            if let last { sink.yield(last) }
        }
        thread.name = "lathe-trainer"
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// The run's pause/stop state, shared by the actor and the training thread.
private final class ControlBox: Sendable {
    let value = Mutex<LoopControl>(.run)
    let running = Mutex(false)
}
