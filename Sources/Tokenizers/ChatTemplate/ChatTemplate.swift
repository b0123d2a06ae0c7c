// ChatTemplate: the public entry point. Parses a GGUF `tokenizer.chat_template` once and renders it exactly
// as HF transformers' `apply_chat_template` does with jinja2; built-in fallbacks for models without one.
import Foundation

public struct ChatTemplate: Sendable {
    public let source: String
    let nodes: [Node]
    /// Work limits per render (output size, loop iterations, macro depth).
    public var limits = RenderLimits()
    /// The clock behind `strftime_now` (fixed in tests for determinism).
    public var now: @Sendable () -> Date = { Date() }

    /// Parses the template; throws a `ChatTemplateError` with line and column on a syntax error.
    ///
    ///     let template = try ChatTemplate(source: gguf.string("tokenizer.chat_template")!)
    public init(source: String) throws {
        self.source = source
        self.nodes = try Parser.parse(source)
    }

    /// Renders a chat the way HF's `apply_chat_template` does: `messages`, `tools` (None when nil),
    /// `documents` (None), `add_generation_prompt`, `bos_token`, `eos_token`, then `extra` variables.
    ///
    ///     let prompt = try template.render(messages: [.system("Be brief."), .user("Hi")],
    ///                                      addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
    public func render(messages: [ChatMessage], tools: [JSONValue]? = nil, addGenerationPrompt: Bool,
                       bosToken: String, eosToken: String, extra: [String: JSONValue] = [:]) throws -> String {
        try render(jsonMessages: messages.map(\.jsonValue), tools: tools, addGenerationPrompt: addGenerationPrompt,
                   bosToken: bosToken, eosToken: eosToken, extra: extra)
    }

    /// As `render(messages:…)`, with messages as raw JSON objects (for content a `ChatMessage` cannot hold,
    /// such as a list of text/image parts).
    public func render(jsonMessages: [JSONValue], tools: [JSONValue]? = nil, addGenerationPrompt: Bool,
                       bosToken: String, eosToken: String, extra: [String: JSONValue] = [:]) throws -> String {
        var context: [String: JSONValue] = [
            "messages": .array(jsonMessages),
            "tools": tools.map(JSONValue.array) ?? .null,
            "documents": .null,
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
        ]
        context.merge(extra) { $1 }
        return try render(context: context)
    }

    /// Renders with exactly these top-level variables (plus the globals every HF template gets).
    public func render(context: [String: JSONValue]) throws -> String {
        let interpreter = Interpreter(limits: limits, now: now)
        return try interpreter.render(nodes, context: context.mapValues(Value.init))
    }

    /// The built-in template for a model whose GGUF has none: Gemma's turn format for Gemma architectures,
    /// ChatML otherwise. `name` says which, for a note to the user.
    public static func fallback(architecture: String) -> (template: ChatTemplate, name: String) {
        let isGemma = architecture.lowercased().hasPrefix("gemma")
        let source = isGemma ? gemmaSource : chatMLSource
        // Both sources are fixed and known to parse; `try!` cannot fail here.
        return (try! ChatTemplate(source: source), isGemma ? "gemma" : "chatml")
    }

    /// ChatML; a message's content is its string, or its text parts joined (image parts dropped).
    static let chatMLSource = """
        {%- for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' }}
        {%- if message['content'] is string %}{{ message['content'] }}
        {%- elif message['content'] is iterable %}{% for part in message['content'] if part['type'] == 'text' %}{{ part['text'] }}{% endfor %}
        {%- endif %}{{ '<|im_end|>\\n' }}{% endfor %}
        {%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
        """

    /// Gemma 3's published template, without its role-alternation check.
    static let gemmaSource = """
        {{ bos_token }}
        {%- if messages and messages[0]['role'] == 'system' -%}
            {%- if messages[0]['content'] is string -%}
                {%- set first_user_prefix = messages[0]['content'] + '\\n\\n' -%}
            {%- else -%}
                {%- set first_user_prefix = messages[0]['content'][0]['text'] + '\\n\\n' -%}
            {%- endif -%}
            {%- set loop_messages = messages[1:] -%}
        {%- else -%}
            {%- set first_user_prefix = '' -%}
            {%- set loop_messages = messages -%}
        {%- endif -%}
        {%- for message in loop_messages -%}
            {%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}
            {{ '<start_of_turn>' + role + '\\n' + (first_user_prefix if loop.first else '') }}
            {%- if message['content'] is string -%}
                {{ message['content'] | trim }}
            {%- elif message['content'] is iterable -%}
                {%- for item in message['content'] -%}
                    {%- if item['type'] == 'image' -%}{{ '<start_of_image>' }}
                    {%- elif item['type'] == 'text' -%}{{ item['text'] | trim }}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
            {{ '<end_of_turn>\\n' }}
        {%- endfor -%}
        {%- if add_generation_prompt -%}{{ '<start_of_turn>model\\n' }}{%- endif -%}
        """
}
