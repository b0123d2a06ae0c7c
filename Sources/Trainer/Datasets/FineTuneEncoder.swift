// Turns dataset records into token sequences with a per-token loss mask. Conversations go through the
// model's own chat template: for each assistant turn the conversation is rendered up to it with the
// generation prompt (the context the model will see at inference) and then with the turn itself; the text
// between the two renders is the assistant's part, and only its tokens are trained (the reply and the
// template's end-of-turn marker, so the model learns to stop). Raw text trains on every token.
import Foundation
import GGUF
import Tokenizers

/// One training sequence: `tokens`, and for each token whether predicting it is part of the loss.
public struct FineTuneExample: Sendable, Equatable {
    public var tokens: [Int32]
    public var trained: [Bool]
    public var location: String

    public init(tokens: [Int32], trained: [Bool], location: String) {
        precondition(tokens.count == trained.count)
        self.tokens = tokens
        self.trained = trained
        self.location = location
    }

    public var trainedCount: Int { trained.dropFirst().filter { $0 }.count }
}

public struct FineTuneEncoder: Sendable {
    public let tokenizer: any Tokenizer
    public let template: ChatTemplate

    public init(tokenizer: any Tokenizer, template: ChatTemplate) {
        self.tokenizer = tokenizer
        self.template = template
    }

    /// The model's tokenizer and chat template (the built-in fallback when the GGUF has none).
    public init(file: GGUFFile) throws {
        tokenizer = try TokenizerLoader.load(from: file)
        if let source = file.string("tokenizer.chat_template") {
            template = try ChatTemplate(source: source)
        } else {
            template = ChatTemplate.fallback(architecture: file.architecture ?? "").template
        }
    }

    /// Encodes `record`; a raw text record may yield several sequences of at most `cutoff + 1` tokens
    /// (the +1 is the last target). Conversations longer than that are truncated.
    public func encode(_ record: DatasetRecord, cutoff: Int) throws -> [FineTuneExample] {
        switch record.content {
        case .conversation(let messages):
            var example = try encodeConversation(messages, location: record.location)
            if example.tokens.count > cutoff + 1 {
                example.tokens.removeLast(example.tokens.count - cutoff - 1)
                example.trained.removeLast(example.trained.count - cutoff - 1)
            }
            return [example]
        case .text(let text):
            let ids = tokenizer.encode(text, addSpecial: true, parseSpecial: false)
            var out: [FineTuneExample] = []
            var start = 0
            while start + 1 < ids.count {
                let end = min(ids.count, start + cutoff + 1)
                let piece = Array(ids[start..<end])
                out.append(FineTuneExample(tokens: piece, trained: [Bool](repeating: true, count: piece.count),
                                           location: record.location))
                start = end - 1  // the next window starts where this one's last target was
            }
            return out
        }
    }

    public func encodeConversation(_ messages: [ChatMessage], location: String) throws -> FineTuneExample {
        let bos = tokenizer.bos.map { tokenizer.tokenText($0) } ?? ""
        let eos = tokenizer.eos.map { tokenizer.tokenText($0) } ?? ""
        func render(_ slice: ArraySlice<ChatMessage>, generationPrompt: Bool) throws -> String {
            do {
                return try template.render(messages: Array(slice), addGenerationPrompt: generationPrompt, bosToken: bos, eosToken: eos)
            } catch {
                throw TrainerError.badData(location, "the chat template failed: \(error)")
            }
        }
        var tokens: [Int32] = [], trained: [Bool] = []
        var rendered = ""
        func append(_ text: String, after prefix: String, train: Bool) {
            // Byte offsets, not Characters: a grapheme may straddle the boundary between two renders.
            let rest = String(decoding: text.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
            var ids = tokenizer.encode(rest, addSpecial: false, parseSpecial: true)
            if tokens.isEmpty, tokenizer.addsBOS, let b = tokenizer.bos, ids.first != b { ids.insert(b, at: 0) }
            tokens += ids
            trained += [Bool](repeating: train, count: ids.count)
        }
        for (index, message) in messages.enumerated() where message.role == "assistant" {
            let prompt = try render(messages[..<index], generationPrompt: true)
            let full = try render(messages[...index], generationPrompt: false)
            guard prompt.utf8.starts(with: rendered.utf8), full.utf8.starts(with: prompt.utf8) else {
                throw TrainerError.badData(location, "the chat template does not render this conversation's prefixes consistently, so the assistant tokens cannot be found")
            }
            append(prompt, after: rendered, train: false)
            append(full, after: prompt, train: true)
            rendered = full
        }
        guard trained.contains(true) else { throw TrainerError.badData(location, "has no assistant message to learn from") }
        if let first = trained.indices.first { trained[first] = false }  // the first token is never a target
        return FineTuneExample(tokens: tokens, trained: trained, location: location)
    }
}
