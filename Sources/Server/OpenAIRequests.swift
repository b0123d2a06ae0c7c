// Parsing of /v1/chat/completions and /v1/completions bodies into engine parameters. Every bad field gets a
// 400 naming the field and what was expected. Unknown fields are ignored, as OpenAI-compatible servers do.
import Engine
import Foundation
import Tokenizers

/// What both endpoints share: the model, sampling and stopping parameters, streaming.
struct GenerationRequest: Sendable {
    var model: String
    var parameters: GenerationParameters
    /// nil: until the context is full (chat) or the endpoint's default.
    var maxTokens: Int?
    var stream: Bool
    var includeUsage: Bool
}

struct ChatRequest: Sendable {
    var common: GenerationRequest
    var messages: [ChatMessage]
}

struct CompletionRequest: Sendable {
    var common: GenerationRequest
    var prompt: String
}

/// Typed access to a JSON object's fields with OpenAI-style 400 errors.
struct JSONFields {
    let object: JSONValue

    init(body: Data) throws {
        guard !body.isEmpty else { throw APIError.badJSON("the body is empty") }
        guard let text = String(data: body, encoding: .utf8) else { throw APIError.badJSON("the body is not UTF-8") }
        let value: JSONValue
        do { value = try JSONValue.parse(text) } catch {
            throw APIError.badJSON((error as? LocalizedError)?.errorDescription ?? "\(error)")
        }
        guard case .object = value else { throw APIError.badJSON("expected a JSON object") }
        object = value
    }

    subscript(key: String) -> JSONValue? {
        if case .null? = object[key] { return nil }
        return object[key]
    }

    func string(_ key: String) throws -> String? {
        guard let v = self[key] else { return nil }
        guard case .string(let s) = v else { throw APIError.invalidRequest("'\(key)' must be a string", param: key) }
        return s
    }

    func number(_ key: String, in range: ClosedRange<Double>? = nil) throws -> Double? {
        let value: Double
        switch self[key] {
        case nil: return nil
        case .int(let i)?: value = Double(i)
        case .number(let d)?: value = d
        default: throw APIError.invalidRequest("'\(key)' must be a number", param: key)
        }
        if let range, !range.contains(value) {
            throw APIError.invalidRequest("'\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(value)",
                                          param: key)
        }
        return value
    }

    func integer(_ key: String, min: Int) throws -> Int? {
        guard let value = try number(key) else { return nil }
        guard value == value.rounded(), value >= Double(min), value < 1e15 else {
            throw APIError.invalidRequest("'\(key)' must be an integer ≥ \(min), got \(value)", param: key)
        }
        return Int(value)
    }

    func bool(_ key: String) throws -> Bool? {
        switch self[key] {
        case nil: return nil
        case .bool(let b)?: return b
        default: throw APIError.invalidRequest("'\(key)' must be true or false", param: key)
        }
    }
}

enum RequestParser {
    static func chat(_ body: Data) throws -> ChatRequest {
        let f = try JSONFields(body: body)
        guard case .array(let list)? = f["messages"], !list.isEmpty else {
            throw APIError.invalidRequest("'messages' must be a non-empty array of {\"role\", \"content\"} objects",
                                          param: "messages")
        }
        let messages = try list.enumerated().map { i, item -> ChatMessage in
            guard case .string(let role)? = item["role"] else {
                throw APIError.invalidRequest("'messages[\(i)]' must be an object with a string 'role'", param: "messages")
            }
            return ChatMessage(role: role, content: try content(item["content"], index: i))
        }
        return ChatRequest(common: try common(f), messages: messages)
    }

    static func completion(_ body: Data) throws -> CompletionRequest {
        let f = try JSONFields(body: body)
        let prompt: String
        switch f["prompt"] {
        case .string(let s)?: prompt = s
        case .array(let a)? where a.count == 1 && a[0].stringValue != nil: prompt = a[0].stringValue ?? ""
        default:
            throw APIError.invalidRequest("'prompt' must be a string (or an array of one string)", param: "prompt")
        }
        if let echo = try f.bool("echo"), echo {
            throw APIError.invalidRequest("'echo' is not supported", param: "echo")
        }
        return CompletionRequest(common: try common(f), prompt: prompt)
    }

    /// Message content: a string, null, or an array of {"type": "text", "text": …} parts (joined).
    private static func content(_ value: JSONValue?, index i: Int) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case .array(let parts)?:
            return try parts.map { part in
                guard part["type"]?.stringValue == "text", let text = part["text"]?.stringValue else {
                    throw APIError.invalidRequest("'messages[\(i)].content' parts must be {\"type\": \"text\", \"text\": …}",
                                                  param: "messages")
                }
                return text
            }.joined()
        default:
            throw APIError.invalidRequest("'messages[\(i)].content' must be a string or an array of text parts",
                                          param: "messages")
        }
    }

    private static func common(_ f: JSONFields) throws -> GenerationRequest {
        guard let model = try f.string("model") else {
            throw APIError.invalidRequest("'model' is required (a string; GET /v1/models lists it)", param: "model")
        }
        var p = GenerationParameters()
        var s = SamplingParameters()
        // OpenAI's defaults: temperature 1, top_p 1, no top-k, min-p or repetition penalty.
        s.temperature = Float(try f.number("temperature", in: 0...2) ?? 1)
        s.topP = Float(try f.number("top_p", in: 0...1) ?? 1)
        s.topK = try f.integer("top_k", min: 0) ?? 0
        s.minP = Float(try f.number("min_p", in: 0...1) ?? 0)
        s.presencePenalty = Float(try f.number("presence_penalty", in: -2...2) ?? 0)
        s.frequencyPenalty = Float(try f.number("frequency_penalty", in: -2...2) ?? 0)
        s.repeatPenalty = 1
        if let seed = try f.number("seed") {
            guard seed == seed.rounded() else { throw APIError.invalidRequest("'seed' must be an integer", param: "seed") }
            s.seed = UInt64(bitPattern: Int64(clamping: Int(exactly: seed) ?? 0))
        } else {
            s.seed = UInt64.random(in: 0...UInt64.max)
        }
        p.sampling = s
        if let n = try f.integer("n", min: 1), n != 1 {
            throw APIError.invalidRequest("'n' must be 1 (one choice per request)", param: "n")
        }
        switch f["stop"] {
        case nil: break
        case .string(let s)?: p.stopStrings = [s]
        case .array(let a)? where a.count <= 4 && a.allSatisfy({ $0.stringValue != nil }):
            p.stopStrings = a.compactMap(\.stringValue)
        default: throw APIError.invalidRequest("'stop' must be a string or an array of up to 4 strings", param: "stop")
        }
        p.ignoreEndOfGeneration = try f.bool("ignore_eos") ?? false
        let maxTokens = try f.integer("max_completion_tokens", min: 1) ?? f.integer("max_tokens", min: 1)
        let stream = try f.bool("stream") ?? false
        var includeUsage = false
        if case .bool(let b)? = f["stream_options"]?["include_usage"] { includeUsage = b }
        return GenerationRequest(model: model, parameters: p, maxTokens: maxTokens, stream: stream,
                                 includeUsage: includeUsage)
    }
}
