// ChatMessage and ToolCall: an OpenAI-style chat message (JSON keys `tool_calls`, `tool_call_id`) and the
// dict a chat template sees for it (`content` always present, null when absent; other keys only when set).

public struct ChatMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String?
    public var toolCalls: [ToolCall]?
    public var toolCallId: String?
    public var name: String?

    public init(role: String, content: String?, toolCalls: [ToolCall]? = nil, toolCallId: String? = nil, name: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallId = toolCallId
        self.name = name
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: "system", content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: text) }
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: "assistant", content: text) }

    enum CodingKeys: String, CodingKey {
        case role, content, name
        case toolCalls = "tool_calls"
        case toolCallId = "tool_call_id"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
        try c.encode(content, forKey: .content)
        try c.encodeIfPresent(toolCalls, forKey: .toolCalls)
        try c.encodeIfPresent(toolCallId, forKey: .toolCallId)
        try c.encodeIfPresent(name, forKey: .name)
    }

    /// The message as a template sees it: `{"role", "content", "tool_calls"?, "tool_call_id"?, "name"?}`.
    public var jsonValue: JSONValue {
        var pairs: [(String, JSONValue)] = [("role", .string(role)), ("content", content.map(JSONValue.string) ?? .null)]
        if let toolCalls { pairs.append(("tool_calls", .array(toolCalls.map(\.jsonValue)))) }
        if let toolCallId { pairs.append(("tool_call_id", .string(toolCallId))) }
        if let name { pairs.append(("name", .string(name))) }
        return .object(pairs)
    }

    /// Reads a message from parsed JSON (key order of tool arguments kept).
    public init(json: JSONValue) throws {
        guard case .object = json, let role = json["role"]?.stringValue else {
            throw ChatTemplateError(.runtime, "a message must be an object with a string \"role\"")
        }
        self.role = role
        switch json["content"] {
        case nil, .null?: content = nil
        case .string(let s)?: content = s
        case let other?: content = other.jsonText
        }
        if case .array(let calls)? = json["tool_calls"] { toolCalls = try calls.map(ToolCall.init(json:)) }
        toolCallId = json["tool_call_id"]?.stringValue
        name = json["name"]?.stringValue
    }

    /// Reads `[{"role": …}, …]` (or `{"messages": [...]}`) from JSON text.
    public static func list(fromJSON text: String) throws -> [ChatMessage] {
        var value = try JSONValue.parse(text)
        if let inner = value["messages"] { value = inner }
        guard case .array(let items) = value else { throw ChatTemplateError(.runtime, "expected a JSON array of messages") }
        return try items.map(ChatMessage.init(json:))
    }
}

public struct ToolCall: Sendable, Equatable, Codable {
    public var id: String?
    public var type: String
    public var function: FunctionCall

    public struct FunctionCall: Sendable, Equatable, Codable {
        public var name: String
        /// A JSON object (HF style) or a string holding JSON (OpenAI style).
        public var arguments: JSONValue
        public init(name: String, arguments: JSONValue) {
            self.name = name
            self.arguments = arguments
        }
    }

    public init(id: String?, type: String = "function", function: FunctionCall) {
        self.id = id
        self.type = type
        self.function = function
    }

    public var jsonValue: JSONValue {
        var pairs: [(String, JSONValue)] = []
        if let id { pairs.append(("id", .string(id))) }
        pairs.append(("type", .string(type)))
        pairs.append(("function", .object([("name", .string(function.name)), ("arguments", function.arguments)])))
        return .object(pairs)
    }

    public init(json: JSONValue) throws {
        guard let f = json["function"], let name = f["name"]?.stringValue else {
            throw ChatTemplateError(.runtime, "a tool call needs \"function\": {\"name\", \"arguments\"}")
        }
        id = json["id"]?.stringValue
        type = json["type"]?.stringValue ?? "function"
        function = FunctionCall(name: name, arguments: f["arguments"] ?? .object([]))
    }
}
