// The jinja2 oracle: every template in Tests/Fixtures/chat_templates × every conversation in conversations.json,
// rendered by render_reference.py (jinja2 as HF runs it) and by ChatTemplate, must match byte for byte;
// where jinja2 raises, ours must raise. Uses reference.json (a committed run) when python3/jinja2 is missing.
import Foundation
import GGUF
import LatheTestSupport
import Testing
import Tokenizers

enum ChatTemplateOracle {
    static let directory = TestPaths.fixture("chat_templates")
    /// 2025-01-15 12:00:00 UTC, the date render_reference.py pins `strftime_now` to.
    static let fixedNow = Date(timeIntervalSince1970: 1_736_942_400)

    /// Runs a Python script here live (jinja2 as HF runs it); falls back to its committed output `fallback`.
    static func reference(_ script: String = "render_reference.py", _ arguments: [String] = [],
                          fallback: String = "reference.json") throws -> (JSONValue, live: Bool) {
        let path = directory.appendingPathComponent(script).path
        if let run = try? Run.process("/usr/bin/env", ["python3", path] + arguments), run.status == 0 {
            return (try JSONValue.parse(run.stdout), true)
        }
        return (try JSONValue.parse(String(contentsOf: directory.appendingPathComponent(fallback), encoding: .utf8)), false)
    }

    static func template(_ name: String) throws -> ChatTemplate {
        let source = try String(contentsOf: directory.appendingPathComponent("\(name).jinja"), encoding: .utf8)
        var template = try ChatTemplate(source: source)
        template.now = { fixedNow }
        return template
    }

    static func describe(_ result: Result<String, Error>) -> String {
        switch result {
        case .success(let s): return "output \(JSONValue.string(s).jsonText)"
        case .failure(let e): return "error \((e as? LocalizedError)?.errorDescription ?? "\(e)")"
        }
    }
}

@Suite struct ChatTemplateOracleTests {
    @Test func everyTemplateTimesEveryConversationMatchesJinja2() throws {
        let (reference, live) = try ChatTemplateOracle.reference()
        let conversationsText = try String(contentsOf: ChatTemplateOracle.directory.appendingPathComponent("conversations.json"),
                                           encoding: .utf8)
        guard case .array(let conversationList) = try JSONValue.parse(conversationsText),
              case .array(let cases)? = reference["cases"] else {
            Issue.record("unreadable conversations.json or reference output")
            return
        }
        var conversations: [String: JSONValue] = [:]
        for c in conversationList { conversations[c["name"]?.stringValue ?? ""] = c }
        var templates: [String: ChatTemplate] = [:]
        var mismatches: [String] = []
        var compared: Set<String> = [], renderedTemplates: Set<String> = [], renderedConversations: Set<String> = []
        for item in cases {
            let name = item["template"]?.stringValue ?? "", conversationName = item["conversation"]?.stringValue ?? ""
            guard let conversation = conversations[conversationName] else { continue }
            if templates[name] == nil { templates[name] = try ChatTemplateOracle.template(name) }
            let result = Result { try render(templates[name]!, conversation) }
            compared.insert("\(name) × \(conversationName)")
            switch (item["output"], result) {
            case (.string(let expected)?, .success(let got)) where expected == got:
                renderedTemplates.insert(name)
                renderedConversations.insert(conversationName)
            case (nil, .failure):
                break
            default:
                let expected = item["output"].map { "output \($0.jsonText)" } ?? "error \(item["error"]?.stringValue ?? "?")"
                mismatches.append("\(name) × \(conversationName):\n  jinja2: \(expected)\n  ours:   \(ChatTemplateOracle.describe(result))")
            }
        }
        let report = "\(mismatches.count) differences from jinja2 (live: \(live)):\n" + mismatches.joined(separator: "\n")
        #expect(mismatches.isEmpty, "\(report)")
        #expect(renderedTemplates.count >= 8, "templates with successful renders: \(renderedTemplates.sorted())")
        #expect(renderedConversations.count >= 10)
        #expect(compared.count >= 80)
    }

    /// Renders through the public ChatMessage API, after checking the fixture round-trips through it.
    private func render(_ template: ChatTemplate, _ conversation: JSONValue) throws -> String {
        guard case .array(let rawMessages)? = conversation["messages"] else { throw ChatTemplateError(.runtime, "no messages") }
        let messages = try rawMessages.map(ChatMessage.init(json:))
        #expect(messages.map(\.jsonValue) == rawMessages, "fixture messages must be in ChatMessage's normal form")
        var tools: [JSONValue]? = nil
        if case .array(let t)? = conversation["tools"] { tools = t }
        var extra: [String: JSONValue] = [:]
        if case .object(let pairs)? = conversation["extra"] { for (k, v) in pairs { extra[k] = v } }
        return try template.render(messages: messages, tools: tools,
                                   addGenerationPrompt: conversation["add_generation_prompt"] == .bool(true),
                                   bosToken: "<|bos|>", eosToken: "<|eos|>", extra: extra)
    }

    @Test func smolLM2FixtureIsTheTemplateInTheModel() throws {
        guard FileManager.default.fileExists(atPath: TestPaths.smollm2) else { return }
        let fromModel = try GGUFFile(path: TestPaths.smollm2).string("tokenizer.chat_template")
        let fixture = try String(contentsOf: ChatTemplateOracle.directory.appendingPathComponent("smollm2.jinja"), encoding: .utf8)
        #expect(fromModel == fixture)
    }

    @Test func snippetsMatchJinja2() throws {
        let (reference, live) = try ChatTemplateOracle.reference("render_reference.py", ["--snippets"],
                                                                 fallback: "snippets_reference.json")
        let (mismatches, count) = try compareSnippets(reference)
        #expect(count >= 100)
        let report = "\(mismatches.count) of \(count) snippets differ from jinja2 (live: \(live)):\n" + mismatches.joined(separator: "\n")
        #expect(mismatches.isEmpty, "\(report)")
    }

    /// 1000 random whitespace-control mazes, 1000 random expressions and 1000 random statement programs
    /// (fuzz_reference.py, seed 1).
    @Test func randomTemplatesMatchJinja2() throws {
        let (reference, live) = try ChatTemplateOracle.reference("fuzz_reference.py", ["1", "1000"], fallback: "fuzz_reference.json")
        let (mismatches, count) = try compareSnippets(reference)
        #expect(count == 3000)
        let report = "\(mismatches.count) of \(count) random templates differ from jinja2 (live: \(live)):\n"
            + mismatches.prefix(20).joined(separator: "\n")
        #expect(mismatches.isEmpty, "\(report)")
    }

    /// Renders each case's template with its context (or the file's shared one) and lists the differences.
    private func compareSnippets(_ reference: JSONValue) throws -> (mismatches: [String], count: Int) {
        guard case .array(let cases)? = reference["cases"] else { throw ChatTemplateError(.runtime, "no cases") }
        var mismatches: [String] = []
        for item in cases {
            let source = item["template"]?.stringValue ?? ""
            var context: [String: JSONValue] = [:]
            if case .object(let pairs)? = item["context"] ?? reference["context"] { for (k, v) in pairs { context[k] = v } }
            let result = Result { () throws -> String in
                var t = try ChatTemplate(source: source)
                t.now = { ChatTemplateOracle.fixedNow }
                return try t.render(context: context)
            }
            switch (item["output"], result) {
            case (.string(let expected)?, .success(let got)) where expected == got: break
            case (nil, .failure): break
            default:
                let expected = item["output"].map { "output \($0.jsonText)" } ?? "error \(item["error"]?.stringValue ?? "?")"
                mismatches.append("\(JSONValue.string(source).jsonText):\n  jinja2: \(expected)\n  ours:   \(ChatTemplateOracle.describe(result))")
            }
        }
        return (mismatches, cases.count)
    }
}
