// A tokenizer built from GGUF metadata: partitions special tokens, runs the model stage (BPE or SentencePiece),
// applies the BOS/EOS policy, and detokenizes as llama.cpp's llama_vocab::detokenize does.

final class GGUFTokenizer: Tokenizer {
    let model: any TokenizerModel
    let special: SpecialTokens
    let addsBOS: Bool
    let addsEOS: Bool
    let addsSpacePrefix: Bool
    /// clean_up_tokenization_spaces (" ?" → "?", " 's" → "'s" …) when decoding.
    let cleanSpaces: Bool
    private let plainPartitioner: SpecialTokenPartitioner
    private let specialPartitioner: SpecialTokenPartitioner

    init(model: any TokenizerModel, special: SpecialTokens, addsBOS: Bool, addsEOS: Bool, addsSpacePrefix: Bool,
         cleanSpaces: Bool) {
        self.model = model
        self.special = special
        self.addsBOS = addsBOS
        self.addsEOS = addsEOS
        self.addsSpacePrefix = addsSpacePrefix
        self.cleanSpaces = cleanSpaces
        plainPartitioner = SpecialTokenPartitioner(vocabulary: model.vocabulary, parseSpecial: false)
        specialPartitioner = SpecialTokenPartitioner(vocabulary: model.vocabulary, parseSpecial: true)
    }

    private var vocabulary: Vocabulary { model.vocabulary }
    var vocabularySize: Int { vocabulary.count }
    var bos: Int32? { special.bos }
    var eos: Int32? { special.eos }
    var eot: Int32? { special.eot }
    var endOfGenerationTokens: Set<Int32> { special.endOfGeneration }

    func encode(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(text.utf8.count / 3 + 2)
        if addSpecial && addsBOS, let bos = special.bos { out.append(bos) }
        var text = text
        text.withUTF8 { bytes in
            let fragments = (parseSpecial ? specialPartitioner : plainPartitioner).partition(bytes)
            model.encode(bytes, fragments: fragments, into: &out)
        }
        if addSpecial && addsEOS, let eos = special.eos { out.append(eos) }
        return out
    }

    func attributes(_ token: Int32) -> TokenAttributes { vocabulary.attributes(token) }
    func isControl(_ token: Int32) -> Bool { vocabulary.attributes(token).contains(.control) }

    func tokenText(_ token: Int32) -> String {
        vocabulary.contains(token) ? vocabulary.string(token) : ""
    }

    func tokenID(_ text: String) -> Int32? { vocabulary.id(text) }

    /// llama.cpp's token_to_piece: special tokens only when `renderSpecial`, user-defined text as is, byte tokens
    /// as their byte, normal tokens through the model's decoder; unused/undefined tokens render as nothing.
    func piece(_ token: Int32, renderSpecial: Bool) -> [UInt8] {
        guard vocabulary.contains(token) else { return [] }
        let a = vocabulary.attributes(token)
        if !a.isDisjoint(with: .special) { return renderSpecial ? Array(vocabulary.text(token)) : [] }
        if a.contains(.userDefined) { return Array(vocabulary.text(token)) }
        if a.contains(.normal) { return model.normalPiece(token) }
        if a.contains(.byte) { return vocabulary.byteValue(token).map { [$0] } ?? [] }
        return []
    }

    func piece(_ token: Int32) -> [UInt8] { piece(token, renderSpecial: true) }

    func decode(_ tokens: [Int32], renderSpecial: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tokens.count * 4)
        var removeSpace = addsSpacePrefix
        for token in tokens {
            var p = piece(token, renderSpecial: renderSpecial)
            if removeSpace, p.first == 0x20 { p.removeFirst() }
            removeSpace = false
            bytes.append(contentsOf: p)
        }
        if cleanSpaces { bytes = Detokenizer.cleanSpaces(bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
