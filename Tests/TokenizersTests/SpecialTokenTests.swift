// Special tokens: BOS/EOS/EOT and the end-of-generation set as llama.cpp resolves them, control tokens parsed from
// text only with parseSpecial, user-defined tokens always, and rendering on request.
import Testing
import Tokenizers

@Suite struct SpecialTokenTests {
    @Test func smolLM2SpecialTokens() throws {
        let t = try #require(TestModels.smollm2)
        #expect(t.vocabularySize == 49152)
        #expect(t.bos == 1 && t.eos == 2 && t.eot == 2)
        #expect(!t.addsBOS && !t.addsEOS && !t.addsSpacePrefix)
        #expect(t.endOfGenerationTokens.isSuperset(of: [0, 2]))  // <|endoftext|>, <|im_end|>
        #expect(t.isControl(1) && !t.isControl(19556))
        #expect(t.tokenText(1) == "<|im_start|>")
        #expect(t.tokenID("<|im_end|>") == 2)
    }

    @Test func gemma3SpecialTokens() throws {
        let t = try #require(TestModels.gemma3)
        #expect(t.vocabularySize == 262_144)
        #expect(t.bos == 2 && t.eos == 1 && t.eot == 106)
        #expect(t.addsBOS && !t.addsEOS && !t.addsSpacePrefix)
        #expect(t.endOfGenerationTokens.isSuperset(of: [1, 106]))  // <eos>, <end_of_turn>
        #expect(!t.endOfGenerationTokens.contains(105))
        #expect(t.tokenText(105) == "<start_of_turn>")
    }

    @Test func controlTokensParsedOnlyWhenAsked() throws {
        let t = try #require(TestModels.smollm2)
        #expect(t.encode("<|im_end|>", addSpecial: false, parseSpecial: true) == [2])
        #expect(!t.encode("<|im_end|>", addSpecial: false, parseSpecial: false).contains(2))
    }

    @Test func userDefinedTokensAlwaysParsed() throws {
        let t = try #require(TestModels.gemma3)
        // "\t\t" and "<table>" are user-defined in Gemma's vocabulary: recognised even without parseSpecial.
        #expect(t.encode("\t\t", addSpecial: false, parseSpecial: false) == [255969])
        #expect(t.encode("<table>", addSpecial: false, parseSpecial: false) == [168])
    }

    @Test func decodeRendersSpecialTokensOnRequest() throws {
        let t = try #require(TestModels.gemma3)
        let ids = t.encode("<start_of_turn>user\nHi<end_of_turn>", addSpecial: true, parseSpecial: true)
        #expect(ids == [2, 105, 2364, 107, 10979, 106])
        #expect(t.decode(ids, renderSpecial: false) == "user\nHi")
        #expect(t.decode(ids, renderSpecial: true) == "<bos><start_of_turn>user\nHi<end_of_turn>")
    }

    @Test func longestSpecialTokenWins() throws {
        let t = try #require(TestModels.gemma3)
        // Runs of newlines are single user-defined tokens: the longest run is claimed first.
        #expect(t.encode("\n\n\n", addSpecial: false, parseSpecial: false) == [109])
        #expect(t.encode("a\n\nb", addSpecial: false, parseSpecial: false).contains(108))
    }
}
