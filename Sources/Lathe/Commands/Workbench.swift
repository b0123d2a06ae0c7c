// `lathe` with no arguments: the ncurses workbench. Wires the terminal, the TUI and the services
// (engine, chat, metrics, downloads) together over one bus; loads the last model used, or the default one.
import ArgumentParser
import Bus
import Engine
import Foundation
import Screen
import Server
import Terminal
import TUI
import Workbench

struct WorkbenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui", abstract: "Open the terminal workbench (the default when lathe runs with no command).")

    @Option(help: "Model to load at start (default: the last one used, else SmolLM2 from the models directory).")
    var model: String?
    @Option(help: "Colour theme: dark, light or high-contrast.") var theme: String?
    @OptionGroup var location: ModelsDirectoryOption
    @Option(name: [.customShort("t"), .long], help: "Engine threads (default: all cores).") var threads: Int?
    @Option(help: "Chat with an OpenAI-compatible server at this URL instead of the local engine.") var remote: String?
    @Option(name: .customLong("api-key"), help: "API key for --remote (default: $LATHE_API_KEY).") var apiKey: String?
    @Option(name: .customLong("remote-model"), help: "Model name to ask the remote server for (default: its first).")
    var remoteModel: String?
    @Option(name: .customLong("serve-host"), help: "Address the Metrics pane's server binds (s starts it).")
    var serveHost = "127.0.0.1"
    @Option(name: .customLong("serve-port"), help: "Port of the Metrics pane's server (0 = any free port).")
    var servePort = 8080
    @Option(name: .customLong("serve-parallel"), help: "Sequences the Metrics pane's server decodes together.")
    var serveParallel = 4
    @Option(name: .customLong("serve-ctx"), help: "Context length per sequence of the Metrics pane's server.")
    var serveContext = 2048
    @Option(name: .customLong("serve-api-key"), help: "API key the Metrics pane's server requires (default: none).")
    var serveAPIKey: String?

    static let defaultModelFile = "SmolLM2-135M-Instruct.Q4_1.gguf"

    func run() async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw CLIErrors.fail(CLIError.message("the workbench needs a terminal; for pipes use `lathe chat MODEL`"))
        }
        let directory = location.directory
        let bus = Bus()
        let dirs = DataDirectory()
        var config = (try? AppConfig.load(from: dirs.configFile)) ?? AppConfig()
        let themes = ThemeCatalog.ordered(ThemeCatalog.load(), preferring: theme ?? config.theme)
        let startModel = try startingModel(directory: directory, config: config)
        let serve = try serverSettings()

        let host = EngineHost(threads: threads ?? ThreadCount.default)
        let models = ModelService(bus: bus, host: host, directory: directory)
        await models.start()
        let endpoint = try remoteEndpoint()
        let local = EngineReplyGenerator(host: host)
        let generator: any ReplyGenerator = endpoint.map { RemoteReplyGenerator(endpoint: $0) } ?? local
        // The Models pane's `e` switches between the local engine and remote endpoints at run time.
        let chat = ChatService(bus: bus, generator: generator, sessions: ChatSessions(directory: dirs.conversations),
                               localGenerator: local, connectRemote: RemoteReplyGenerator.connector(apiKey: resolvedAPIKey))
        await chat.start()
        let server = ServerService(bus: bus, threads: threads ?? ThreadCount.default)
        await server.start()
        let sampler = MetricsSampler(bus: bus, clock: ContinuousClock())
        await sampler.start()
        let trainer = TrainerService(bus: bus, runsDirectory: dirs.runs.path)
        await trainer.start()
        let quantizer = QuantizerService(bus: bus, threads: threads ?? ThreadCount.default)
        await quantizer.start()
        // Hub search and downloads (HF_ENDPOINT, HF_TOKEN); quitting pauses them, a later pull resumes the .part.
        let downloads = DownloadService(bus: bus, directory: directory)
        await downloads.start()

        TerminalSession.install()
        let backend = try NcursesBackend(theme: themes[0])
        var initial: [Effect] = [.chat(.loadAll), .model(.scan)]
        if let startModel { initial.append(.model(.load(path: startModel))) }
        var state = AppState(size: backend.size, themeName: themes[0].name, idPrefix: .random(in: 1...UInt64.max), now: Date())
        state.models.remote = endpoint.map { $0.baseURL.absoluteString + ($0.model.map { " (\($0))" } ?? "") }
        state.metrics.server.settings = serve
        let result = await runWorkbenchApp(
            backend: backend, bus: bus, state: state,
            themes: themes, framesPerSecond: config.framesPerSecond ?? 60, initialEffects: initial)
        backend.end()
        await server.stop()
        await sampler.stop()
        await trainer.stop()
        await quantizer.stop()
        await downloads.stop()
        await bus.shutdown()
        await chat.drain()
        config.theme = result.state.themeName
        config.lastModel = result.state.models.loaded?.path ?? config.lastModel
        try? config.save(to: dirs.configFile)
        TerminalSession.exitIfTerminated()          // quit by SIGTERM/SIGHUP: die of it now that all is saved
    }

    private var resolvedAPIKey: String? { apiKey ?? ProcessInfo.processInfo.environment["LATHE_API_KEY"] }

    /// The remote endpoint chats go to, when --remote is given.
    private func remoteEndpoint() throws -> RemoteEndpoint? {
        guard let remote else { return nil }
        guard let endpoint = RemoteEndpoint(url: remote, apiKey: resolvedAPIKey, model: remoteModel) else {
            throw CLIErrors.fail(CLIError.message("--remote must be an http(s) URL such as http://127.0.0.1:8080, got '\(remote)'"))
        }
        return endpoint
    }

    /// How the Metrics pane's server serves (`s` there starts it on the loaded model).
    private func serverSettings() throws -> ServerSettings {
        guard (0...65535).contains(servePort) else {
            throw CLIErrors.fail(CLIError.message("--serve-port must be 0...65535, got \(servePort)"))
        }
        guard serveParallel >= 1, serveContext >= 64 else {
            throw CLIErrors.fail(CLIError.message("--serve-parallel must be at least 1 and --serve-ctx at least 64"))
        }
        return ServerSettings(host: serveHost, port: servePort, parallel: serveParallel, contextLength: serveContext,
                              apiKey: serveAPIKey)
    }

    /// The model to load at start: --model, else the remembered one (if still there), else SmolLM2.
    private func startingModel(directory: ModelDirectory, config: AppConfig) throws -> String? {
        if let model { return try directory.resolve(model) }
        if let last = config.lastModel, FileManager.default.fileExists(atPath: last) { return last }
        let fallback = (directory.path as NSString).appendingPathComponent(Self.defaultModelFile)
        return FileManager.default.fileExists(atPath: fallback) ? fallback : nil
    }
}
