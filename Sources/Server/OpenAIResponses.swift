// Response bodies of the OpenAI API, field for field (snake_case keys, explicit nulls where OpenAI sends them).
import Engine
import Foundation

struct Usage: Encodable, Sendable {
    var prompt_tokens: Int
    var completion_tokens: Int
    var total_tokens: Int

    init(prompt: Int, completion: Int) {
        prompt_tokens = prompt
        completion_tokens = completion
        total_tokens = prompt + completion
    }
}

/// "stop" for an end-of-generation token or a stop string, "length" for max_tokens or a full context.
func finishReason(_ reason: StopReason) -> String {
    switch reason {
    case .endOfGeneration, .stopString, .cancelled: return "stop"
    case .maxTokens, .contextFull: return "length"
    }
}

struct ChatCompletion: Encodable {
    struct Message: Encodable { var role = "assistant"; var content: String }
    struct Choice: Encodable {
        var index = 0
        var message: Message
        var logprobs: String? = nil
        var finish_reason: String

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(message, forKey: .message)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finish_reason, forKey: .finish_reason)
        }
        enum CodingKeys: String, CodingKey { case index, message, logprobs, finish_reason }
    }
    var id: String
    var object = "chat.completion"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: Usage
    var system_fingerprint = "lathe"
}

struct ChatCompletionChunk: Encodable {
    struct Delta: Encodable { var role: String?; var content: String? }
    struct Choice: Encodable {
        var index = 0
        var delta: Delta
        var logprobs: String? = nil
        var finish_reason: String?

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(delta, forKey: .delta)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finish_reason, forKey: .finish_reason)
        }
        enum CodingKeys: String, CodingKey { case index, delta, logprobs, finish_reason }
    }
    var id: String
    var object = "chat.completion.chunk"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: Usage?
    var system_fingerprint = "lathe"
}

struct TextCompletion: Encodable {
    struct Choice: Encodable {
        var text: String
        var index = 0
        var logprobs: String? = nil
        var finish_reason: String?

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(text, forKey: .text)
            try c.encode(index, forKey: .index)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finish_reason, forKey: .finish_reason)
        }
        enum CodingKeys: String, CodingKey { case text, index, logprobs, finish_reason }
    }
    var id: String
    var object = "text_completion"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: Usage?
    var system_fingerprint = "lathe"
}

struct ModelList: Encodable {
    struct Model: Encodable {
        var id: String
        var object = "model"
        var created: Int
        var owned_by = "lathe"
    }
    var object = "list"
    var data: [Model]
}
