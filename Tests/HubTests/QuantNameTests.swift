// File-name facts: quantization tokens as the Hub's GGUF repos spell them, split-part suffixes, grouping a
// tree listing into choices, and picking one from `:QUANT` / `:FILE`.
import Hub
import Testing

@Test(arguments: [
    ("Llama-3.2-1B-Instruct-Q4_K_M.gguf", "Q4_K_M"), ("SmolLM2-135M-Instruct.Q4_1.gguf", "Q4_1"),
    ("qwen2.5-0.5b-instruct-q8_0.gguf", "Q8_0"), ("Meta-Llama-3.1-8B-Instruct-IQ4_XS.gguf", "IQ4_XS"),
    ("model-IQ2_XXS.gguf", "IQ2_XXS"), ("phi-2.F16.gguf", "F16"), ("gemma-2b-BF16.gguf", "BF16"),
    ("tinyllama-fp16.gguf", "F16"), ("Qwen3-30B-A3B-UD-Q4_K_XL.gguf", "Q4_K_XL"), ("x-Q3_K_L.gguf", "Q3_K_L"),
    ("x-Q6_K.gguf", "Q6_K"), ("x-Q4_0_4_4.gguf", "Q4_0_4_4"), ("x-IQ4_NL.gguf", "IQ4_NL"),
    ("x-Q5_K_S-00001-of-00003.gguf", "Q5_K_S"), ("Q4_K_M/model-00001-of-00002.gguf", "Q4_K_M"),
    ("gpt-oss-20b-MXFP4.gguf", "MXFP4"), ("model.gguf", nil), ("Qwen2-7B.gguf", nil), ("x-TQ1_0.gguf", "TQ1_0"),
] as [(String, String?)])
func quantFromFileName(name: String, quant: String?) {
    #expect(QuantName.parse(name) == quant, "\(name)")
}

@Test func splitSuffixes() {
    #expect(QuantName.split("m-Q8_0-00002-of-00003.gguf")! == (2, 3))
    #expect(QuantName.split("m-Q8_0.gguf") == nil)
    #expect(QuantName.split("m-00004-of-00003.gguf") == nil)      // part beyond the count
    #expect(QuantName.splitBase("dir/m-Q8_0-00002-of-00003.gguf") == "dir/m-Q8_0.gguf")
    #expect(QuantName.splitBase("m.gguf") == "m.gguf")
}

private func entry(_ path: String, _ size: Int64) -> HubTreeEntry {
    HubTreeEntry(size: size, path: path, lfs: .init(oid: String(repeating: "a", count: 64), size: size))
}

private let listing = [
    entry("README.md", 10), entry("m-Q8_0.gguf", 800), entry("m-Q4_K_M.gguf", 500), entry("m-IQ4_XS.gguf", 450),
    entry("m-F16-00002-of-00002.gguf", 900), entry("m-F16-00001-of-00002.gguf", 1000), entry("mmproj-m-f16.gguf", 90),
]

@Test func groupsSplitPartsAsOneChoiceSmallestFirst() {
    let choices = GGUFChoice.group(listing)
    #expect(choices.map(\.name) == ["mmproj-m-f16.gguf", "m-IQ4_XS.gguf", "m-Q4_K_M.gguf", "m-Q8_0.gguf", "m-F16.gguf"])
    let f16 = choices.last!
    #expect(f16.files.map(\.path) == ["m-F16-00001-of-00002.gguf", "m-F16-00002-of-00002.gguf"])
    #expect(f16.totalSize == 1900 && f16.isSplit && f16.isComplete && f16.quantization == "F16")
    #expect(choices[0].isProjector)
}

@Test func picksByQuantFileOrPreference() throws {
    let choices = GGUFChoice.group(listing)
    #expect(try GGUFChoice.pick(choices, wanted: nil, repo: "o/m").name == "m-Q4_K_M.gguf")
    #expect(try GGUFChoice.pick(choices, wanted: "q8_0", repo: "o/m").name == "m-Q8_0.gguf")
    #expect(try GGUFChoice.pick(choices, wanted: "F16", repo: "o/m").files.count == 2)
    #expect(try GGUFChoice.pick(choices, wanted: "m-IQ4_XS.gguf", repo: "o/m").quantization == "IQ4_XS")
    #expect(try GGUFChoice.pick(choices, wanted: "m-F16-00002-of-00002.gguf", repo: "o/m").name == "m-F16.gguf")
    #expect(throws: HubError.noMatch(repo: "o/m", wanted: "Q2_K", available: ["IQ4_XS", "Q4_K_M", "Q8_0", "F16"])) {
        try GGUFChoice.pick(choices, wanted: "Q2_K", repo: "o/m")
    }
    #expect(throws: HubError.noGGUF(repo: "o/x")) { try GGUFChoice.pick([], wanted: nil, repo: "o/x") }
}

@Test func pullSpecs() throws {
    #expect(try PullSpec(parsing: "bartowski/SmolLM2-GGUF:Q4_K_M") == PullSpec(repo: "bartowski/SmolLM2-GGUF", selector: "Q4_K_M"))
    #expect(try PullSpec(parsing: "hf.co/o/n") == PullSpec(repo: "o/n"))
    #expect(try PullSpec(parsing: "https://huggingface.co/o/n:x.gguf") == PullSpec(repo: "o/n", selector: "x.gguf"))
    #expect(try PullSpec(parsing: "o/n:") == PullSpec(repo: "o/n"))
    for bad in ["noslash", "a/b/c", "/n", "o/", "o/n n"] {
        #expect(throws: HubError.self) { try PullSpec(parsing: bad) }
    }
}

@Test func memoryEstimateAgainstThisMachine() {
    let gib: Int64 = 1 << 30
    #expect(MemoryEstimate(fileSize: 1 * gib, physicalMemory: 24 * gib).verdict == .fits)
    #expect(MemoryEstimate(fileSize: 18 * gib, physicalMemory: 24 * gib).verdict == .tight)
    #expect(MemoryEstimate(fileSize: 30 * gib, physicalMemory: 24 * gib).verdict == .tooLarge)
    #expect(MemoryEstimate(fileSize: 100_000_000, physicalMemory: 24 * gib).needed == 100_000_000 + 15_000_000 + 200_000_000)
}
