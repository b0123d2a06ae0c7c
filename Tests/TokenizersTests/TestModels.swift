// The two test models' tokenizers, loaded once per test process (nil when the model file is absent).
import Foundation
import GGUF
import LatheTestSupport
import Tokenizers

enum TestModels {
    static let smollm2: (any Tokenizer)? = load(TestPaths.smollm2)
    static let gemma3: (any Tokenizer)? = load(TestPaths.gemma3)

    private static func load(_ path: String) -> (any Tokenizer)? {
        guard FileManager.default.fileExists(atPath: path), let file = try? GGUFFile(path: path) else { return nil }
        return try? TokenizerLoader.load(from: file)
    }

    static func named(_ name: String) -> (any Tokenizer)? { name == "smollm2" ? smollm2 : gemma3 }

    static let fixtureFiles = ["smollm2": "tokenize/smollm2-135m-instruct-q4_1.jsonl",
                               "gemma3": "tokenize/gemma3-270m-q4_k_m.jsonl"]
}
