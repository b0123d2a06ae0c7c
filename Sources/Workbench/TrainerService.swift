// Runs training for the TUI: answers TrainCommands from the bus (pretrain, resume, pause, unpause, stop) and
// publishes the run's TrainEvents in order. Training is CPU-bound for minutes, so it runs on its own thread,
// never on the cooperative pool; pause/stop reach it through a lock-protected control value that the
// training loop reads between optimizer steps (stop and pause write a checkpoint first).
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
    public private(set) var isRunning = false

    public init(bus: Bus) {
        self.bus = bus
        (events, sink) = AsyncStream.makeStream(of: TrainEvent.self)
    }

    /// Subscribes to `.trainCommands` before returning, so no command sent afterwards is missed.
    public func start() async {
        guard listener == nil else { return }
        let commands = await bus.subscribe(.trainCommands)
        let bus = self.bus, events = self.events
        // One publisher keeps the training thread's events in order on the bus.
        publisher = Task {
            for await event in events { await bus.publish(event, on: .trainEvents) }
        }
        listener = Task { [weak self] in
            for await command in commands {
                guard let self else { return }
                await self.handle(command)
            }
        }
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
        case .resume(let directory): launch { try Pretraining.resume(runDirectory: directory) }
        case .pause: control.value.withLock { if $0 == .run { $0 = .pause } }
        case .unpause: control.value.withLock { if $0 == .pause { $0 = .run } }
        case .stop: control.value.withLock { $0 = .stop }
        }
    }

    private func launch(_ make: @escaping @Sendable () throws -> Pretraining) {
        let sink = self.sink
        guard !isRunning else {
            sink.yield(.failed("a training run is already in progress"))
            return
        }
        isRunning = true
        control.value.withLock { $0 = .run }
        let thread = Thread { [control] in
            do {
                let run = try make()
                _ = try run.train(control: { control.value.withLock { $0 } }, emit: { sink.yield($0) })
            } catch {
                sink.yield(.failed("\(error)"))
            }
            Task { await self.runEnded() }
        }
        thread.name = "lathe-trainer"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func runEnded() { isRunning = false }
}

/// The run's pause/stop state, shared by the actor and the training thread.
private final class ControlBox: Sendable {
    let value = Mutex<LoopControl>(.run)
}
