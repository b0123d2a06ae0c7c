// Fine-tuning datasets: every format reads, bad rows fail with file:line, chat goes through the model's own
// template with the loss on assistant tokens only, and batches honour cutoff, padding, packing and the split.
import Foundation
import GGUF
import LatheTestSupport
import Testing
import Tokenizers
import Trainer

@Suite struct FineTuneDatasetTests {
    static func temp(_ name: String, _ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-ds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let encoder: FineTuneEncoder = {
        try! FineTuneEncoder(file: try! GGUFFile(path: TestPaths.smollm2))
    }()

    @Test func everyFormatReadsIntoConversationsOrText() throws {
        let alpaca = try Self.temp("a.json", """
            [
              {"instruction": "Add the numbers.", "input": "2 and 3", "output": "5"},
              {"instruction": "Say hi.", "output": "Hi!", "system": "Be terse."}
            ]
            """)
        let records = try DatasetReader.read(path: alpaca)
        #expect(records.count == 2)
        #expect(records[0].content == .conversation([.user("Add the numbers.\n\n2 and 3"), .assistant("5")]))
        #expect(records[1].content == .conversation([.system("Be terse."), .user("Say hi."), .assistant("Hi!")]))
        #expect(records[1].location == "a.json:3")

        let mixed = try Self.temp("m.jsonl", """
            {"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}

            {"conversations": [{"from": "system", "value": "S"}, {"from": "human", "value": "Q2"}, {"from": "gpt", "value": "A2"}]}
            {"text": "plain words"}
            """)
        let rows = try DatasetReader.read(path: mixed)
        #expect(rows.map(\.location) == ["m.jsonl:1", "m.jsonl:3", "m.jsonl:4"])
        #expect(rows[1].content == .conversation([.system("S"), .user("Q2"), .assistant("A2")]))
        #expect(rows[2].content == .text("plain words"))
        let raw = try Self.temp("book.txt", "Once upon a time.")
        #expect(try DatasetReader.read(path: raw) == [DatasetRecord(.text("Once upon a time."), location: "book.txt:1")])
    }

    @Test func badRowsNameTheirFileAndLine() throws {
        let cases: [(String, String, String)] = [
            ("b.jsonl", "{\"messages\": [{\"role\": \"user\", \"content\": \"Q\"}, {\"role\": \"assistant\", \"content\": \"A\"}]}\n{\"messages\": [{\"role\": \"pirate\", \"content\": \"arr\"}]}\n",
             "b.jsonl:2: messages[0].role is 'pirate'; expected system, user or assistant (human/gpt in ShareGPT)"),
            ("c.jsonl", "{\"instruction\": \"x\"}\n", "c.jsonl:1: \"output\" must be a non-empty string"),
            ("d.jsonl", "\n\n{oops\n", "d.jsonl:3: is not a JSON object"),
            ("e.json", "[\n {\"instruction\": \"x\", \"output\": \"y\"},\n\n 42\n]", "e.json:4: element 1 is not a JSON object"),
            ("f.jsonl", "{\"messages\": [{\"role\": \"user\", \"content\": \"only a question\"}]}\n",
             "f.jsonl:1: has no non-empty assistant message to learn from"),
            ("g.jsonl", "{\"prompt\": \"x\"}\n",
             "g.jsonl:1: expected \"messages\" (chat), \"conversations\" (ShareGPT), \"instruction\"+\"output\" (alpaca) or \"text\"; found keys [\"prompt\"]"),
        ]
        for (name, text, message) in cases {
            let path = try Self.temp(name, text)
            #expect { try DatasetReader.read(path: path) } throws: { "\($0)" == message }
        }
    }

    @Test func chatLossCoversOnlyTheAssistantTurnsOfTheModelsTemplate() throws {
        let encoder = Self.encoder
        let messages: [ChatMessage] = [.user("What is Zorblax?"), .assistant("A teapot."), .user("Colour?"), .assistant("Teal.")]
        let example = try encoder.encodeConversation(messages, location: "x:1")
        // The whole sequence is exactly the template's rendering, tokenized.
        let rendered = try encoder.template.render(messages: messages, addGenerationPrompt: false, bosToken: "", eosToken: "")
        #expect(example.tokens == encoder.tokenizer.encode(rendered, addSpecial: false, parseSpecial: true))
        // Trained spans decode to the replies and the end-of-turn marker; nothing else is trained.
        var spans: [String] = [], current: [Int32] = []
        for (token, trained) in zip(example.tokens, example.trained) {
            if trained { current.append(token) } else if !current.isEmpty { spans.append(encoder.tokenizer.decode(current, renderSpecial: true)); current = [] }
        }
        if !current.isEmpty { spans.append(encoder.tokenizer.decode(current, renderSpecial: true)) }
        #expect(spans == ["A teapot.<|im_end|>\n", "Teal.<|im_end|>\n"])
        // The untrained prefix of the first turn is what the model is prompted with at inference.
        let prompt = try encoder.template.render(messages: Array(messages.prefix(1)), addGenerationPrompt: true, bosToken: "", eosToken: "")
        let promptTokens = encoder.tokenizer.encode(prompt, addSpecial: false, parseSpecial: true)
        #expect(Array(example.tokens.prefix(promptTokens.count)) == promptTokens)
        #expect(!example.trained.prefix(promptTokens.count).contains(true))
    }

    @Test func batchesPadMaskPackAndSplitDeterministically() throws {
        let rows = (0..<20).map { i in
            "{\"instruction\": \"Question number \(i)?\", \"output\": \"\(String(repeating: "answer ", count: i % 5 + 1))\"}"
        }
        let path = try Self.temp("q.jsonl", rows.joined(separator: "\n"))
        let settings = FineTuneDataSettings(cutoff: 64, evalSplit: 0.2, packing: false, batchSize: 3, seed: 5)
        let data = try FineTuneDataset(paths: [path], encoder: Self.encoder, settings: settings)
        #expect(data.evalItems.count == 4 && data.trainItems.count == 16)
        let batch = data.trainBatch(first: 0, count: 3)
        #expect(batch.sequences == 3 && batch.tokens.count == 3 * batch.length && batch.targets.count == batch.tokens.count)
        // Each row's targets are its next tokens where trained, -1 on prompt and padding.
        for row in 0..<3 {
            let targets = batch.targets[(row * batch.length)..<((row + 1) * batch.length)]
            #expect(targets.contains { $0 >= 0 } && targets.first == -1)
        }
        // Same seed, same batches and split; another seed, another order.
        let again = try FineTuneDataset(paths: [path], encoder: Self.encoder, settings: settings)
        #expect(again.trainBatch(first: 7, count: 3) == data.trainBatch(first: 7, count: 3))
        #expect(again.evalItems == data.evalItems)
        // Every train item appears once per epoch.
        let seen = Set((0..<16).map { data.trainItemIndex($0) })
        #expect(seen.count == 16)

        var short = settings
        short.cutoff = 37  // the prompt alone is ~35 tokens: long answers are cut, the shortest lose everything
        let truncated = try FineTuneDataset(paths: [path], encoder: Self.encoder, settings: short)
        #expect(truncated.trainItems.allSatisfy { $0.tokens.count <= 38 })
        #expect(truncated.droppedExamples + truncated.trainItems.count + truncated.evalItems.count == 20)

        var packed = settings
        packed.packing = true
        packed.cutoff = 128  // three examples of ~40 tokens per row
        let packedData = try FineTuneDataset(paths: [path], encoder: Self.encoder, settings: packed)
        #expect(packedData.trainItems.count < data.trainItems.count)
        #expect(packedData.trainItems.allSatisfy { $0.tokens.count <= 129 })
        #expect(packedData.trainedTokenCount == data.trainedTokenCount)
    }

    @Test func rawTextTrainsEveryTokenInOverlappingWindows() throws {
        let text = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 30)
        let examples = try Self.encoder.encode(DatasetRecord(.text(text), location: "t:1"), cutoff: 32)
        #expect(examples.count > 3)
        #expect(examples.allSatisfy { $0.tokens.count <= 33 && $0.trained.allSatisfy { $0 } })
        #expect(examples[0].tokens.last == examples[1].tokens.first)
    }
}
