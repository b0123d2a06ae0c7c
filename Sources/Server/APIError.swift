// Errors in the shape OpenAI's API (and so every OpenAI client) expects:
// {"error": {"message": "...", "type": "...", "param": ..., "code": ...}} with the matching HTTP status.
import Foundation
import HTTPTypes

public struct APIError: Error, Equatable, Sendable {
    public var status: HTTPResponse.Status
    public var type: String
    public var code: String?
    public var param: String?
    public var message: String

    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: .badRequest, type: "invalid_request_error", code: code, param: param, message: message)
    }

    public static func badJSON(_ detail: String) -> APIError {
        .invalidRequest("the request body is not valid JSON: \(detail)", code: "invalid_json")
    }

    public static func unknownModel(_ name: String, available: String) -> APIError {
        APIError(status: .notFound, type: "invalid_request_error", code: "model_not_found", param: "model",
                 message: "the model '\(name)' does not exist (this server serves '\(available)')")
    }

    public static func contextOverflow(tokens: Int, limit: Int) -> APIError {
        .invalidRequest("this model's context is \(limit) tokens per request, but the prompt has \(tokens) tokens",
                        param: "messages", code: "context_length_exceeded")
    }

    public static let missingKey = APIError(
        status: .unauthorized, type: "invalid_request_error", code: "invalid_api_key", param: nil,
        message: "missing API key: send it as 'Authorization: Bearer KEY'")

    public static let wrongKey = APIError(
        status: .unauthorized, type: "invalid_request_error", code: "invalid_api_key", param: nil,
        message: "incorrect API key provided")

    public static func queueFull(limit: Int) -> APIError {
        APIError(status: .tooManyRequests, type: "rate_limit_error", code: "queue_full", param: nil,
                 message: "too many waiting requests (\(limit) already queued); retry later")
    }

    public static func notFound(_ path: String) -> APIError {
        APIError(status: .notFound, type: "invalid_request_error", code: "not_found", param: nil,
                 message: "no route for \(path)")
    }

    public static func tooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, type: "invalid_request_error", code: "request_too_large", param: nil,
                 message: "the request body is larger than \(limit) bytes")
    }

    public static func server(_ message: String) -> APIError {
        APIError(status: .internalServerError, type: "server_error", code: nil, param: nil, message: message)
    }

    /// The JSON body.
    public var body: Data {
        let payload = ErrorBody(error: .init(message: message, type: type, param: param, code: code))
        return (try? JSONCoding.encoder.encode(payload)) ?? Data("{\"error\":{}}".utf8)
    }

    private struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var message: String
            var type: String
            var param: String?
            var code: String?

            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(message, forKey: .message)
                try c.encode(type, forKey: .type)
                try c.encode(param, forKey: .param)  // explicit null, as OpenAI sends
                try c.encode(code, forKey: .code)
            }
            enum CodingKeys: String, CodingKey { case message, type, param, code }
        }
        var error: Detail
    }
}

enum JSONCoding {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()
}
