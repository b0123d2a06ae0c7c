// Remote engines against our own server on loopback: the Workbench client and reply generator (the TUI's
// remote chat) and `lathe chat --remote` stream the same greedy answer the server gives a plain request.
import Bus
import Foundation
import LatheTestSupport
import Server
import Testing
import Workbench

@Suite(.serialized) struct RemoteChatTests {
    @Test func replyGeneratorAndCLIStreamFromOurServer() async throws {
        let server = try ServerProcess(["--parallel", "2", "--ctx", "1024", "--api-key", "remote-key"])
        let endpoint = try #require(RemoteEndpoint(url: server.baseURL, apiKey: "remote-key"))
        let client = OpenAIClient(endpoint: endpoint)
        #expect(try await client.models() == [ServerProcess.modelID])

        var parameters = ChatParameters()
        parameters.temperature = 0
        parameters.maxTokens = 24
        let generator = RemoteReplyGenerator(endpoint: endpoint)
        var pieces: [String] = []
        var info: CompletionInfo?
        for try await chunk in generator.generate(prompt: [ChatTurn(role: .user, text: "What is the capital of France?")],
                                                  parameters: parameters) {
            switch chunk {
            case .token(let text, _): pieces.append(text)
            case .finished(let completion): info = completion
            }
        }
        let reply = pieces.joined()
        #expect(pieces.count > 1, "streamed in pieces")
        #expect(!reply.isEmpty, "reply: \(reply)")  // not wisdom: the CLI's streamed reply below must equal it
        #expect(info?.generatedTokens ?? 0 > 0 && info?.promptTokens ?? 0 > 10)

        let cli = try Run.lathe(["chat", "--remote", server.baseURL, "--api-key", "remote-key", "--temp", "0", "-n", "24"],
                                stdin: "What is the capital of France?\n")
        #expect(cli.status == 0, "stderr: \(cli.stderr)")
        #expect(cli.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == reply.trimmingCharacters(in: .whitespacesAndNewlines))

        let denied = try Run.lathe(["chat", "--remote", server.baseURL, "--api-key", "wrong"], stdin: "hi\n")
        #expect(denied.status == 1 && denied.stderr.contains("401"), "stderr: \(denied.stderr)")
    }

    /// The TUI's run-time switch (Models pane `e`): the chat service checks the endpoint, streams from it, keeps
    /// the backend it had when a switch fails, and returns to the local generator on `.local`.
    @Test func chatServiceSwitchesBackendsAtRunTime() async throws {
        let server = try ServerProcess(["--parallel", "1", "--ctx", "512"])
        let bus = Bus()
        let events = await bus.subscribe(.chatEvents)
        let generation = await bus.subscribe(.generation)
        let local = ScriptedGenerator(tokens: ["local", " reply"])
        let chat = ChatService(bus: bus, generator: local, sessions: nil,
                               connectRemote: RemoteReplyGenerator.connector(apiKey: nil))
        await chat.start()
        var backendEvents = events.makeAsyncIterator()
        var tokens = generation.makeAsyncIterator()

        /// Sends one question and returns the streamed reply.
        func ask() async -> String {
            var parameters = ChatParameters()
            parameters.temperature = 0
            parameters.maxTokens = 8
            let request = GenerationRequest(conversation: UUID(), kind: .reply,
                                            turns: [ChatTurn(role: .user, text: "Say hello.")], parameters: parameters)
            await bus.publish(.send(request), on: .chat)
            var reply = ""
            while let event = await tokens.next() {
                if case .token(_, let text, _) = event { reply += text }
                if case .finished = event { break }
                if case .failed(_, let message) = event { Issue.record("generation failed: \(message)"); break }
            }
            return reply
        }

        await bus.publish(.useBackend(.remote(url: server.baseURL, model: nil)), on: .chat)
        #expect(await backendEvents.next() == .backendChanged(remote: "\(server.baseURL) (\(ServerProcess.modelID))"))
        let remoteReply = await ask()
        #expect(!remoteReply.isEmpty && remoteReply != "local reply", "reply: \(remoteReply)")

        await bus.publish(.useBackend(.remote(url: "http://127.0.0.1:9", model: nil)), on: .chat)
        let failed = await backendEvents.next()
        guard case .backendFailed(let message) = failed else { Issue.record("expected a failure, got \(String(describing: failed))"); return }
        #expect(message.hasPrefix("http://127.0.0.1:9: cannot reach the remote server"), "\(message)")
        let again = await ask()   // the server's slot reuse may change numerics, so not compared with the first
        #expect(!again.isEmpty && again != "local reply", "a failed switch keeps the remote backend: \(again)")

        await bus.publish(.useBackend(.remote(url: "ftp://x", model: nil)), on: .chat)
        #expect(await backendEvents.next() == .backendFailed("ftp://x: expected an http(s) URL such as http://127.0.0.1:8080, got 'ftp://x'"))

        await bus.publish(.useBackend(.local), on: .chat)
        #expect(await backendEvents.next() == .backendChanged(remote: nil))
        #expect(await ask() == "local reply")
        await chat.stop()
    }

    @Test func remoteErrorsAreOneLine() async throws {
        let client = OpenAIClient(endpoint: RemoteEndpoint(url: "http://127.0.0.1:9/v1")!)
        await #expect(throws: RemoteError.self) { _ = try await client.models() }
        let bad = try Run.lathe(["chat", "--remote", "ftp://example"], stdin: "")
        #expect(bad.status != 0 && bad.stderr.contains("--remote must be an http(s) URL"))
    }

    /// The TUI's path: ServerCommand.start on the bus → ServerService serves → events → stop.
    @Test func serverServiceStartsAndStopsOverTheBus() async throws {
        let bus = Bus()
        let events = await bus.subscribe(.serverEvents)
        let service = ServerService(bus: bus, threads: 2)
        await service.start()
        await bus.publish(.start(modelPath: TestPaths.smollm2, ServerSettings(port: 0, parallel: 2, contextLength: 256)),
                          on: .serverCommands)
        var url: String?
        var sawStatus = false
        for await event in events {
            if case .started(let u, let model) = event {
                #expect(model == ServerProcess.modelID)
                url = u
                let client = OpenAIClient(endpoint: RemoteEndpoint(url: u)!)
                #expect(try await client.models() == [ServerProcess.modelID])
            }
            if case .status(let status) = event, url != nil, status.requests >= 1, !sawStatus {
                #expect(status.slots == 2 && status.kvCapacity == 512)
                sawStatus = true
                await bus.publish(.stop, on: .serverCommands)
            }
            if case .failed(let message) = event { Issue.record("server failed: \(message)"); break }
            if case .stopped = event { break }
        }
        #expect(url != nil && sawStatus)
        await service.stop()
    }
}
