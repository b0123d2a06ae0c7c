// The one error type of the chat-template interpreter: a one-line message with the line and column
// in the template source where lexing, parsing or rendering failed.
import Foundation

public struct ChatTemplateError: Error, LocalizedError, Equatable, Sendable {
    public enum Kind: String, Sendable { case syntax, runtime, raised, limit }
    public var kind: Kind
    public var message: String
    /// 1-based position in the template source (0 when unknown).
    public var line: Int
    public var column: Int

    public init(_ kind: Kind, _ message: String, line: Int = 0, column: Int = 0) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
    }

    public var errorDescription: String? {
        let place = line > 0 ? " at line \(line), column \(column)" : ""
        switch kind {
        case .syntax: return "chat template syntax error\(place): \(message)"
        case .runtime: return "chat template error\(place): \(message)"
        case .raised: return "chat template raised an exception\(place): \(message)"
        case .limit: return "chat template stopped\(place): \(message)"
        }
    }
}

/// Where a node sits in the template source.
struct SourcePosition: Sendable, Equatable {
    var line: Int
    var column: Int
    static let unknown = SourcePosition(line: 0, column: 0)
}
