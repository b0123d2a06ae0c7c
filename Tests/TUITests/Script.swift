// Message scripts in user terms (press, type, paste, receive) and deterministic fixtures.
import Bus
import Foundation
import Screen
import TUI

func press(_ key: Key) -> [Msg] { [.key(key)] }
func type(_ text: String) -> [Msg] { text.map { .key(.char($0)) } }
func paste(_ text: String) -> [Msg] { [.paste(text)] }
func receive(_ msg: Msg) -> [Msg] { [msg] }
func resize(_ width: Int, _ height: Int) -> [Msg] { [.resize(Size(width: width, height: height))] }

/// Runs the script and returns every effect in order.
@discardableResult
func run(_ state: inout AppState, _ script: [Msg]...) -> [Effect] {
    script.flatMap { $0 }.flatMap { reduce(&state, $0) }
}

func screen(_ state: AppState) -> ScreenBuffer {
    var buffer = ScreenBuffer(size: state.size)
    render(state, into: &buffer)
    return buffer
}

enum Fixture {
    static func state(_ width: Int = 80, _ height: Int = 24) -> AppState {
        AppState(size: Size(width: width, height: height))
    }

    static let smol = ModelFacts(
        name: "SmolLM2-135M-Instruct.Q4_1.gguf", path: "models/SmolLM2-135M-Instruct.Q4_1.gguf", architecture: "llama",
        parameters: 134_515_008, fileSize: 99_000_000, quantization: "Q4_1", contextLength: 8192,
        vocabularySize: 49152, layerCount: 30, embeddingLength: 576, headCount: 9, hasChatTemplate: true)
    static let gemma = ModelFacts(
        name: "gemma3-270m-Q4_K_M.gguf", path: "models/gemma3-270m-Q4_K_M.gguf", architecture: "gemma3",
        parameters: 268_098_176, fileSize: 253_000_000, quantization: "Q4_K_M", contextLength: 32768,
        vocabularySize: 262_144, layerCount: 18, embeddingLength: 640, headCount: 4, hasChatTemplate: true)

    static func stats(_ n: Int) -> TokenStats {
        TokenStats(generatedTokens: n, tokensPerSecond: 42.5, contextUsed: 30 + n, contextSize: 2048)
    }

    static let info = CompletionInfo(promptTokens: 30, generatedTokens: 12, promptTokensPerSecond: 410.2,
                                     tokensPerSecond: 42.5, timeToFirstToken: 0.083, stopReason: .endOfSequence)

    /// The request id the reducer gave the latest send.
    static func requestID(_ effects: [Effect]) -> UUID? {
        for case .chat(.send(let request)) in effects.reversed() { return request.id }
        return nil
    }

    /// Sends `question`, streams `tokens` and finishes.
    static func exchange(_ state: inout AppState, _ question: String, _ tokens: [String], finish: Bool = true) {
        let effects = run(&state, type(question), press(.enter))
        guard let id = requestID(effects) else { return }
        run(&state, receive(.generation(.started(request: id))))
        for (i, t) in tokens.enumerated() {
            run(&state, receive(.generation(.token(request: id, text: t, stats: stats(i + 1)))))
        }
        if finish { run(&state, receive(.generation(.finished(request: id, info)))) }
    }

    static func metricsSamples(_ count: Int) -> [Msg] {
        (0..<count).map { i in
            let t = Double(i)
            return .metrics(MetricsSample(time: t, promptTokensPerSecond: 300 + 100 * sin(t / 5),
                                          generationTokensPerSecond: 40 + 10 * sin(t / 3), timeToFirstToken: 0.08 + 0.01 * cos(t),
                                          residentBytes: 200_000_000 + i * 1_000_000, cpuPercent: 50 + 40 * sin(t / 4),
                                          kvFill: min(1, t / 60), busMessagesPerSecond: 40 + 5 * cos(t / 2)))
        }
    }
}
