// Answers ModelCommands from the bus: scans the models directory for GGUF facts, loads and unloads models
// through the EngineHost, and publishes ModelEvents (progress, loaded, failed).
import Bus
import Foundation
import GGUF
import Hub

public actor ModelService {
    private let bus: Bus
    private let host: EngineHost
    private let directory: ModelDirectory
    private var listener: Task<Void, Never>?
    public private(set) var loadedPath: String?

    public init(bus: Bus, host: EngineHost, directory: ModelDirectory) {
        self.bus = bus
        self.host = host
        self.directory = directory
    }

    /// Subscribes to `.modelCommands` before returning, so no command sent afterwards is missed.
    public func start() async {
        guard listener == nil else { return }
        listener = await bus.deliver(.modelCommands, to: self) { await $0.handle($1) }
    }

    public func stop() {
        listener?.cancel()
        listener = nil
    }

    func handle(_ command: ModelCommand) async {
        switch command {
        case .scan: await bus.publish(.available(scan()), on: .modelEvents)
        case .load(let path): await load(path)
        case .unload:
            await host.unload()
            loadedPath = nil
            await bus.publish(.unloaded, on: .modelEvents)
        }
    }

    /// Facts of every readable GGUF in the models directory (unreadable files are skipped). A split model is
    /// listed once, by its first part (the one that holds the metadata).
    public func scan() -> [ModelFacts] {
        directory.ggufFiles().filter { (QuantName.split($0)?.part ?? 1) == 1 }.compactMap { name in
            let path = (directory.path as NSString).appendingPathComponent(name)
            guard let file = try? GGUFFile(path: path) else { return nil }
            return ModelFacts(path: path, summary: ModelSummary(file: file))
        }
    }

    public func load(_ path: String) async {
        await bus.publish(.progress(path: path, fraction: 0), on: .modelEvents)
        do {
            let model = try await host.load(path: path, contextLength: nil)
            loadedPath = path
            let facts = ModelFacts(path: path, summary: ModelSummary(file: model.file))
            await bus.publish(.progress(path: path, fraction: 1), on: .modelEvents)
            await bus.publish(.loaded(facts), on: .modelEvents)
        } catch {
            let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
            await bus.publish(.failed(path: path, message: message), on: .modelEvents)
        }
    }
}
