// Every llama-tokenize case in Tests/Fixtures/tokenize must match exactly: no BOS and specials as text
// (ids_raw), the model's BOS policy (ids_default), and chat markup with special tokens parsed (ids_parse_special).
import LatheTestSupport
import Testing
import Tokenizers

@Suite struct TokenizerFixtureTests {
    @Test(arguments: ["smollm2", "gemma3"])
    func llamaTokenizeFixturesMatch(model: String) throws {
        let tokenizer = try #require(TestModels.named(model))
        let cases = try TestPaths.jsonLines(try #require(TestModels.fixtureFiles[model]))
        #expect(cases.count >= 15)
        for fixture in cases {
            let text = try #require(fixture["text"] as? String)
            let raw = try #require(fixture["ids_raw"] as? [Int]).map(Int32.init)
            let standard = try #require(fixture["ids_default"] as? [Int]).map(Int32.init)
            #expect(tokenizer.encode(text, addSpecial: false, parseSpecial: false) == raw, "raw: \(text.debugDescription)")
            #expect(tokenizer.encode(text, addSpecial: true, parseSpecial: false) == standard,
                    "default: \(text.debugDescription)")
            if let parsed = (fixture["ids_parse_special"] as? [Int])?.map(Int32.init) {
                #expect(tokenizer.encode(text, addSpecial: true, parseSpecial: true) == parsed,
                        "parse special: \(text.debugDescription)")
            }
        }
    }
}
