// Turns prompts into streamed text: prefill (reusing the cached prefix), then sample token by token,
// detokenizing as it goes (incomplete UTF-8 held back), honouring stop strings, end-of-generation
// tokens, max tokens, the context limit (stop, or shift keeping a prefix) and cancellation.
import Foundation
import Tokenizers

public enum StopReason: String, Sendable, Codable {
    case endOfGeneration = "eog", maxTokens = "length", stopString = "stop", contextFull = "context", cancelled
}

public enum ContextOverflow: Sendable, Equatable {
    case stop
    /// Keep the first `keep` tokens, drop the older half of the rest, and go on.
    case shift(keep: Int)
}

public struct GenerationStats: Sendable, Codable, Equatable {
    public var promptTokens = 0
    /// Prompt tokens actually run through the model (the rest were reused from the cache).
    public var processedPromptTokens = 0
    public var generatedTokens = 0
    public var promptSeconds = 0.0
    public var generationSeconds = 0.0
    public var timeToFirstToken = 0.0
    public var stopReason: StopReason = .maxTokens
    public var contextShifts = 0

    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(processedPromptTokens) / promptSeconds : 0 }
    /// Generation speed excluding the first token (which also waits for the prompt).
    public var generationTokensPerSecond: Double {
        generationSeconds > 0 && generatedTokens > 1 ? Double(generatedTokens - 1) / generationSeconds : 0
    }
}

public final class TextGenerator: @unchecked Sendable {  // one generation at a time
    public let model: LanguageModel
    public let session: InferenceSession
    public var contextOverflow: ContextOverflow = .shift(keep: 0)

    public init(model: LanguageModel, contextLength: Int? = nil) {
        self.model = model
        session = InferenceSession(model: model.transformer, contextLength: contextLength ?? model.defaultContextLength)
    }

    /// Generates a continuation of `prompt`. `onText` receives each new piece of text (may be empty for
    /// tokens that complete no character) with its token id; return false from it to stop.
    public func generate(prompt: [Int32], parameters: GenerationParameters,
                         isCancelled: () -> Bool = { false },
                         onText: (_ text: String, _ token: Int32) -> Bool) throws -> GenerationStats {
        var stats = GenerationStats()
        stats.promptTokens = prompt.count
        let clock = ContinuousClock()
        let started = clock.now
        var prompt = prompt
        if case .shift(let keep) = contextOverflow, prompt.count >= session.contextLength {
            // Too long to fit: keep the head and the most recent tokens.
            let room = session.contextLength - 1 - keep
            prompt = Array(prompt.prefix(keep)) + Array(prompt.suffix(max(1, room)))
            stats.contextShifts += 1
        }
        try session.prefill(prompt)
        stats.processedPromptTokens = session.lastProcessedCount
        stats.promptSeconds = seconds(clock.now - started)

        var sampler = Sampler(parameters.sampling)
        var detokenizer = StreamingDetokenizer(tokenizer: model.tokenizer, renderSpecial: false)
        var stopFilter = StopStringFilter(parameters.stopStrings)
        let endTokens = model.tokenizer.endOfGenerationTokens
        let generationStart = clock.now
        stats.stopReason = .maxTokens
        for step in 0..<parameters.maxTokens {
            if isCancelled() { stats.stopReason = .cancelled; break }
            let token = sampler.sample(session.logits, vocabularySize: session.vocabularySize, history: session.tokens)
            if step == 0 { stats.timeToFirstToken = seconds(clock.now - started) }
            stats.generatedTokens += 1
            if endTokens.contains(token) && !parameters.ignoreEndOfGeneration {
                stats.stopReason = .endOfGeneration
                break
            }
            let (text, stopped) = stopFilter.push(detokenizer.append(token))
            if !onText(text, token) { stats.stopReason = .cancelled; break }
            if stopped { stats.stopReason = .stopString; break }
            if step == parameters.maxTokens - 1 { break }
            if session.tokens.count + 1 > session.contextLength {
                guard case .shift(let keep) = contextOverflow else { stats.stopReason = .contextFull; break }
                try session.shiftContext(keep: keep, discard: (session.tokens.count - keep) / 2)
                stats.contextShifts += 1
            }
            try session.evaluate([token], logits: .last)
        }
        if stats.stopReason != .stopString {
            let tail = stopFilter.push(detokenizer.flush()).text + stopFilter.flush()
            if !tail.isEmpty { _ = onText(tail, -1) }
        }
        stats.generationSeconds = seconds(clock.now - generationStart)
        return stats
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Holds back text that might be the start of a stop string; cuts the output where one appears.
struct StopStringFilter {
    let stops: [String]
    private var pending = ""

    init(_ stops: [String]) { self.stops = stops.filter { !$0.isEmpty } }

    /// Returns the text that is safe to emit and whether a stop string was found.
    mutating func push(_ text: String) -> (text: String, stopped: Bool) {
        guard !stops.isEmpty else { return (text, false) }
        pending += text
        if let range = stops.compactMap({ pending.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
            let out = String(pending[..<range.lowerBound])
            pending = ""
            return (out, true)
        }
        // Keep the longest suffix that is a prefix of some stop string.
        var keep = 0
        for stop in stops {
            for length in stride(from: min(stop.count, pending.count), to: 0, by: -1)
            where pending.hasSuffix(stop.prefix(length)) {
                keep = max(keep, length)
                break
            }
        }
        let cut = pending.index(pending.endIndex, offsetBy: -keep)
        let out = String(pending[..<cut])
        pending = String(pending[cut...])
        return (out, false)
    }

    mutating func flush() -> String {
        defer { pending = "" }
        return pending
    }
}
