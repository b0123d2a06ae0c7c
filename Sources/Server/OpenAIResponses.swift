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

/// An optional field written as `null` when it has no value, where OpenAI sends the key either way (`logprobs`, a
/// stream chunk's `finish_reason`); synthesized encoding would leave the key out.
@propertyWrapper
struct EncodedNull<Value: Encodable & Sendable>: Encodable, Sendable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

struct ChatCompletion: Encodable {
    struct Message: Encodable { var role = "assistant"; var content: String }
    struct Choice: Encodable {
        var index = 0
        var message: Message
        @EncodedNull var logprobs: String? = nil
        var finish_reason: String
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
        @EncodedNull var logprobs: String? = nil
        @EncodedNull var finish_reason: String?
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
        @EncodedNull var logprobs: String? = nil
        @EncodedNull var finish_reason: String?
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
