// ChatTemplate unit tests beyond the jinja2 oracle: errors carry line and column on one line, runaway templates
// stop at the work limits instead of hanging or crashing, the public API (fallbacks, ChatMessage, JSONValue).
import Foundation
import Testing
import Tokenizers

@Suite struct ChatTemplateLanguageTests {
    private func error(_ source: String, context: [String: JSONValue] = [:], limits: RenderLimits = RenderLimits()) -> ChatTemplateError? {
        do {
            var template = try ChatTemplate(source: source)
            template.limits = limits
            _ = try template.render(context: context)
            return nil
        } catch let e as ChatTemplateError {
            return e
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    @Test func renderBasics() throws {
        let t = try ChatTemplate(source: "{% for m in messages %}{{ m.role }}: {{ m.content | trim }}\n{% endfor %}")
        let out = try t.render(messages: [.system(" Be brief. "), .user("Hi")], addGenerationPrompt: false,
                               bosToken: "<s>", eosToken: "</s>")
        #expect(out == "system: Be brief.\nuser: Hi\n")
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        let e = error("line one\n{% if x %}\n  {{ 1 + }}\n{% endif %}")
        #expect(e?.kind == .syntax)
        #expect(e?.line == 3)
        #expect(e?.column == 10)
        let text = e?.errorDescription ?? ""
        #expect(text.contains("line 3, column 10"))
        #expect(!text.contains("\n"))
    }

    @Test(arguments: [
        ("{% if x %}never closed", "endif"),
        ("{% for x in y %}", "endfor"),
        ("{{ 'unterminated }}", "unterminated string"),
        ("{# no end", "comment"),
        ("{% endif %}", "endif"),
        ("{% frobnicate %}", "unknown tag"),
        ("{{ x | nosuchfilter }}", "no filter named"),
        ("{{ x is nosuchtest }}", "no test named"),
        ("{{ (1 }}", "missing '}}'"),
        ("{{ [1, 2 }}", "missing '}}'"),
        ("{{ a b }}", "expected '}}'"),
    ])
    func syntaxErrors(source: String, mentions: String) {
        let e = error(source)
        #expect(e?.kind == .syntax)
        #expect(e?.line == 1)
        #expect(e?.errorDescription?.contains(mentions) == true, "\(e?.errorDescription ?? "no error")")
    }

    @Test func runtimeErrorsNameTheirPosition() {
        let e = error("ok\n\n   {{ 'text' + 1 }}")
        #expect(e?.kind == .runtime)
        #expect(e?.line == 3)
        #expect(e?.column == 14)
        #expect(error("{{ missing.attribute }}")?.message == "'missing' is undefined")
    }

    @Test func raiseExceptionCarriesTheTemplatesMessage() {
        let e = error("{% if messages | length == 0 %}\n{{ raise_exception('No messages!') }}{% endif %}",
                      context: ["messages": .array([])])
        #expect(e?.kind == .raised)
        #expect(e?.message == "No messages!")
        #expect(e?.line == 2)
    }

    @Test func loopIterationLimitStopsNestedLoops() {
        var limits = RenderLimits()
        limits.maxLoopIterations = 10_000
        let e = error("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", limits: limits)
        #expect(e?.kind == .limit)
        #expect(e?.line == 1)
    }

    @Test func outputLimitStopsExponentialStrings() {
        var limits = RenderLimits()
        limits.maxOutputScalars = 100_000
        let doubling = "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}"
        #expect(error(doubling, limits: limits)?.kind == .limit)
        #expect(error("{% for i in range(100) %}{{ 'x' * 5000 }}{% endfor %}", limits: limits)?.kind == .limit)
    }

    @Test func infiniteMacroRecursionIsAnErrorNotACrash() {
        let e = error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")
        #expect(e?.kind == .limit)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let parens = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(error("{{ \(parens) }}")?.kind == .syntax)
        let nots = String(repeating: "not ", count: 5000)
        #expect(error("{{ \(nots) 1 }}")?.kind == .syntax)
        let ifs = String(repeating: "{% if true %}", count: 3000) + String(repeating: "{% endif %}", count: 3000)
        #expect(error(ifs)?.kind == .syntax)
    }

    @Test func fallbackTemplates() throws {
        let chat: [ChatMessage] = [.system("S"), .user("Hi"), .assistant("Hello"), .user("Bye")]
        let (chatML, chatMLName) = ChatTemplate.fallback(architecture: "llama")
        #expect(chatMLName == "chatml")
        #expect(try chatML.render(messages: chat, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>") ==
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n"
            + "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n")
        for arch in ["gemma3", "gemma2", "gemma"] {
            let (gemma, name) = ChatTemplate.fallback(architecture: arch)
            #expect(name == "gemma")
            #expect(try gemma.render(messages: chat, addGenerationPrompt: true, bosToken: "<bos>", eosToken: "<eos>") ==
                "<bos><start_of_turn>user\nS\n\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n"
                + "<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n")
        }
    }

    @Test func fallbacksAcceptContentParts() throws {
        let parts: JSONValue = .array([.object([("type", .string("text")), ("text", .string(" Describe "))]),
                                       .object([("type", .string("image"))])])
        let messages: [JSONValue] = [.object([("role", .string("user")), ("content", parts)])]
        let chatML = ChatTemplate.fallback(architecture: "qwen2").template
        #expect(try chatML.render(jsonMessages: messages, addGenerationPrompt: false, bosToken: "", eosToken: "")
            == "<|im_start|>user\n Describe <|im_end|>\n")
        let gemma = ChatTemplate.fallback(architecture: "gemma3").template
        #expect(try gemma.render(jsonMessages: messages, addGenerationPrompt: false, bosToken: "<bos>", eosToken: "")
            == "<bos><start_of_turn>user\nDescribe<start_of_image><end_of_turn>\n")
    }

    @Test func jsonValueKeepsKeyOrderAndIntegers() throws {
        let v = try JSONValue.parse(#"{"z": 1, "a": [2.0, 3, -4.5e2, null, true, "é\n\ud83d\ude00"], "m": {}}"#)
        #expect(v.jsonText == #"{"z": 1, "a": [2.0, 3, -450.0, null, true, "é\n😀"], "m": {}}"#)
        #expect(throws: ChatTemplateError.self) { try JSONValue.parse("{\"a\": }") }
    }

    @Test func chatMessageUsesOpenAIKeys() throws {
        let call = ToolCall(id: "call_1", function: .init(name: "f", arguments: .object([("x", .int(1))])))
        let message = ChatMessage(role: "assistant", content: nil, toolCalls: [call])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(message), as: UTF8.self)
        #expect(text.contains("\"tool_calls\":[{"))
        #expect(text.contains("\"content\":null"))
        let parsed = try ChatMessage.list(fromJSON: #"[{"role": "tool", "content": "42", "tool_call_id": "call_1"}]"#)
        #expect(parsed == [ChatMessage(role: "tool", content: "42", toolCallId: "call_1")])
        #expect(message.jsonValue.jsonText ==
            #"{"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": {"x": 1}}}]}"#)
    }

    @Test func strftimeNowUsesTheInjectedClock() throws {
        var t = try ChatTemplate(source: "{{ strftime_now('%d %b %Y') }}")
        t.now = { Date(timeIntervalSince1970: 1_736_942_400) }
        #expect(try t.render(context: [:]) == "15 Jan 2025")
    }
}
