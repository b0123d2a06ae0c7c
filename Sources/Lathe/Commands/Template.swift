// `lathe template MODEL --messages FILE.json [--add-generation-prompt] [--tools FILE.json]`: renders the chat
// prompt from the model's `tokenizer.chat_template` (or a built-in fallback, noted on stderr), byte for byte.
import ArgumentParser
import Foundation
import GGUF
import Tokenizers

struct Template: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a chat prompt with the model's chat template.",
        discussion: """
            FILE.json holds an array of OpenAI-style messages ({"role", "content", "tool_calls", "tool_call_id"}; \
            content may be a string or a list of parts) \
            or an object with a "messages" array; "-" reads standard input. The prompt is printed exactly, \
            without a trailing newline of its own.
            """)

    @OptionGroup var model: ModelOptions
    @Option(help: "JSON file with the messages (\"-\" for standard input).") var messages: String
    @Option(help: "JSON file with an array of tool (function) schemas.") var tools: String?
    @Flag(help: "End with the header that starts the assistant's reply.") var addGenerationPrompt = false

    func run() throws {
        let path = try model.resolvedPath()
        let prompt = try CLIErrors.guarded { () throws -> String in
            let file = try GGUFFile(path: path)
            let chat = try Self.messages(fromJSON: try Self.read(messages))
            var toolList: [JSONValue]? = nil
            if let tools {
                guard case .array(let list) = try JSONValue.parse(try Self.read(tools)) else {
                    throw ChatTemplateError(.runtime, "\(tools): expected a JSON array of tools")
                }
                toolList = list
            }
            let tokens = file.array("tokenizer.ggml.tokens")
            return try Self.template(for: file, path: path).render(
                jsonMessages: chat, tools: toolList, addGenerationPrompt: addGenerationPrompt,
                bosToken: Self.token(file, tokens, "tokenizer.ggml.bos_token_id"),
                eosToken: Self.token(file, tokens, "tokenizer.ggml.eos_token_id"))
        }
        FileHandle.standardOutput.write(Data(prompt.utf8))
    }

    /// The model's template, or the built-in fallback for its architecture (with a note on stderr).
    static func template(for file: GGUFFile, path: String) throws -> ChatTemplate {
        if let source = file.string("tokenizer.chat_template") { return try ChatTemplate(source: source) }
        let (template, name) = ChatTemplate.fallback(architecture: file.architecture ?? "")
        let note = "note: \((path as NSString).lastPathComponent) has no tokenizer.chat_template; using the built-in \(name) template\n"
        FileHandle.standardError.write(Data(note.utf8))
        return template
    }

    /// The text of a special token (`tokenizer.ggml.tokens[id]`), or "" when the model names none.
    static func token(_ file: GGUFFile, _ tokens: GGUFArray?, _ key: String) -> String {
        guard let id = file.int(key), case .string(let names)? = tokens, names.indices.contains(id) else { return "" }
        return names[id]
    }

    /// The messages as written (content parts kept), each checked to be an object with a string "role".
    static func messages(fromJSON text: String) throws -> [JSONValue] {
        var value = try JSONValue.parse(text)
        if let inner = value["messages"] { value = inner }
        guard case .array(let items) = value else { throw ChatTemplateError(.runtime, "expected a JSON array of messages") }
        for (i, item) in items.enumerated() where item["role"]?.stringValue == nil {
            throw ChatTemplateError(.runtime, "message \(i) is not an object with a string \"role\"")
        }
        return items
    }

    static func read(_ path: String) throws -> String {
        if path == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ChatTemplateError(.runtime, "cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
