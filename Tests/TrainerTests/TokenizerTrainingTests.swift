// The byte-level BPE trainer: deterministic, the requested size, and lossless through the Tokenizers target's
// BPE (the tokenizer the exported GGUF carries).
import Foundation
import Testing
import Tokenizers
import Trainer

@Suite struct TokenizerTrainingTests {
    @Test func bpeRoundTripsAndCompresses() throws {
        let text = try String(contentsOfFile: Corpus.directory + "/GPL-3", encoding: .utf8)
        let vocab = BPETrainer.train(texts: [text], vocabularySize: 600)
        #expect(vocab.tokens.count == 600)
        #expect(vocab.merges.count == 600 - 256 - BPEVocabulary.specialTokens.count)
        #expect(vocab == BPETrainer.train(texts: [text], vocabularySize: 600), "training must be deterministic")
        let tokenizer = try vocab.makeTokenizer()
        let sample = "This License applies to any program or other work, 2007 — “quoted” ünïcode.\n\n  Indented."
        for s in [text, sample] {
            let ids = tokenizer.encode(s, addSpecial: false, parseSpecial: false)
            #expect(tokenizer.decode(ids) == s)
        }
        let ids = tokenizer.encode(text, addSpecial: false, parseSpecial: false)
        let bytesPerToken = Double(text.utf8.count) / Double(ids.count)
        print("BPE 600 on GPL-3: \(String(format: "%.2f", bytesPerToken)) bytes/token")
        #expect(bytesPerToken > 2.3)
        #expect(tokenizer.encode("<|endoftext|>", addSpecial: false, parseSpecial: true) == [vocab.endOfText])
    }

    @Test func datasetSplitsAndOrdersDeterministically() throws {
        let stream = (0..<50_000).map { Int32($0 % 97) }
        let a = try TokenDataset(stream: stream, length: 32, seed: 5)
        let b = try TokenDataset(stream: stream, length: 32, seed: 5)
        #expect(a.train.count + a.eval.count == stream.count)
        #expect(a.eval.count > 2000)
        #expect(a.trainBatch(first: 123, count: 4).tokens == b.trainBatch(first: 123, count: 4).tokens)
        // One epoch visits every window exactly once.
        let windows = (0..<a.trainWindows).map { a.trainWindow($0) }
        #expect(Set(windows).count == a.trainWindows)
        let batch = a.trainBatch(first: 0, count: 2)
        #expect(Array(batch.targets[0..<31]) == Array(batch.tokens[1..<32]))
        #expect(throws: TrainerError.self) { try TokenDataset(stream: Array(stream[0..<40]), length: 32, seed: 1) }
    }
}
