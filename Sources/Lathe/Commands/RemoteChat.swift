// `lathe chat --remote URL`: the same line-based chat against an OpenAI-compatible server, replies streamed
// as the server sends them. The whole conversation is sent each turn (the server may cache the prefix).
import Foundation
import Workbench

struct RemoteChat {
    let endpoint: RemoteEndpoint
    let systemPrompt: String?
    let sampling: RemoteSampling
    let verbose: Bool

    func run() throws {
        let client = OpenAIClient(endpoint: endpoint)
        let model = try wait { try await client.resolvedModel() }
        var messages: [RemoteMessage] = systemPrompt.map { [RemoteMessage(role: "system", content: $0)] } ?? []
        let interrupt = InterruptFlag.install()
        while let line = readLine(strippingNewline: true) {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            messages.append(RemoteMessage(role: "user", content: line))
            interrupt.clear()
            let turn = messages
            let (reply, summary) = try wait { () async throws -> (String, String) in
                var reply = ""
                var summary = ""
                let started = Date()
                for try await chunk in client.streamChat(model: model, messages: turn, sampling: sampling) {
                    if interrupt.isSet { break }  // leaving the loop closes the connection: the server stops
                    switch chunk {
                    case .text(let piece):
                        reply += piece
                        FileHandle.standardOutput.write(Data(piece.utf8))
                    case let .finished(reason, prompt, completion):
                        summary = "remote \(model): prompt \(prompt ?? 0) tokens, \(completion ?? 0) generated in "
                            + String(format: "%.2f s", Date().timeIntervalSince(started)) + ", finish \(reason ?? "?")"
                    }
                }
                return (reply, summary)
            }
            FileHandle.standardOutput.write(Data("\n".utf8))
            messages.append(RemoteMessage(role: "assistant", content: reply))
            if verbose && !summary.isEmpty { FileHandle.standardError.write(Data((summary + "\n").utf8)) }
        }
    }

    /// Runs async work from this synchronous command (the main thread waits; the work runs on the pool).
    private func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

private final class ResultBox<T>: @unchecked Sendable {  // written once before the semaphore is signalled
    var result: Result<T, Error>?
}
