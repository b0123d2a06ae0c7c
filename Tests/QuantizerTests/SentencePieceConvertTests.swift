// Safetensors -> GGUF for a SentencePiece (tokenizer.model) checkpoint, with the `sentencepiece` package as the
// oracle: a real BPE model with byte fallback trained on the GPL-3 text (llama's settings: identity
// normalisation, dummy prefix, split digits), a tiny random llama in model.safetensors whose vocabulary is padded
// past the model's pieces, tokenizer_config.json with special tokens, an added token and a chat template.
// The converted file must carry sentencepiece's pieces, scores and types, load in our engine, and tokenize
// every text exactly as sentencepiece does (plus BOS).
import Engine
import Foundation
import GGUF
import LatheTestSupport
import Quantizer
import Testing

@Suite(.serialized) struct SentencePieceConvertTests {
    static let texts = ["Hello world! The GNU General Public License is a free, copyleft license.",
                        "  two leading spaces,   three inside\nand a newline\n\n", "digits 0123456789 and 3.14159",
                        "Ünïcödé — 日本語 🙂 bytes", "copyright copyleft COPYRIGHT Copyright"]

    static let oracle = #"""
import json, sys, os, struct
import numpy as np
import sentencepiece as spm
out, corpus = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
spm.SentencePieceTrainer.train(input=corpus, model_prefix=os.path.join(out, "tokenizer"), vocab_size=600,
    model_type="bpe", byte_fallback=True, normalization_rule_name="identity", add_dummy_prefix=True,
    remove_extra_whitespaces=False, split_digits=True, character_coverage=1.0,
    unk_id=0, bos_id=1, eos_id=2, pad_id=-1, num_threads=1, minloglevel=2)
sp = spm.SentencePieceProcessor(model_file=os.path.join(out, "tokenizer.model"))
n = sp.get_piece_size()
vocab = n + 8                       # padded like real checkpoints (e.g. 32000 -> 32016)
hidden, inter, heads, kv = 128, 256, 4, 2
rng = np.random.default_rng(7)
def w(*shape): return (rng.standard_normal(shape) * 0.05).astype(np.float32)
tensors = {"model.embed_tokens.weight": w(vocab, hidden), "model.norm.weight": np.ones(hidden, np.float32),
           "lm_head.weight": w(vocab, hidden)}
p = "model.layers.0."
tensors.update({p + "input_layernorm.weight": np.ones(hidden, np.float32),
    p + "post_attention_layernorm.weight": np.ones(hidden, np.float32),
    p + "self_attn.q_proj.weight": w(hidden, hidden), p + "self_attn.k_proj.weight": w(kv * 32, hidden),
    p + "self_attn.v_proj.weight": w(kv * 32, hidden), p + "self_attn.o_proj.weight": w(hidden, hidden),
    p + "mlp.gate_proj.weight": w(inter, hidden), p + "mlp.up_proj.weight": w(inter, hidden),
    p + "mlp.down_proj.weight": w(hidden, inter)})
header, blobs, offset = {}, [], 0
for name, array in tensors.items():
    data = array.tobytes()
    header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data); offset += len(data)
text = json.dumps(header).encode(); text += b" " * (-len(text) % 8)
with open(os.path.join(out, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text))); f.write(text); f.write(b"".join(blobs))
json.dump({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": hidden,
           "intermediate_size": inter, "num_hidden_layers": 1, "num_attention_heads": heads,
           "num_key_value_heads": kv, "vocab_size": vocab, "max_position_embeddings": 512, "rms_norm_eps": 1e-5,
           "rope_theta": 10000.0, "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": False},
          open(os.path.join(out, "config.json"), "w"))
json.dump({"add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
           "chat_template": "{% for m in messages %}{{ m['content'] }}{% endfor %}",
           "added_tokens_decoder": {str(n): {"content": "<|tool|>", "special": False}}},
          open(os.path.join(out, "tokenizer_config.json"), "w"))
texts = json.loads(sys.argv[3])
print(json.dumps({"pieces": [sp.id_to_piece(i) for i in range(n)], "scores": [sp.get_score(i) for i in range(n)],
    "types": [6 if sp.is_byte(i) else 2 if sp.is_unknown(i) else 3 if sp.is_control(i) else 5 if sp.is_unused(i) else 1 for i in range(n)],
    "vocab": vocab, "encoded": [sp.encode(t) for t in texts]}))
"""#

    @Test func sentencePieceCheckpointTokenizesLikeSentencePiece() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let hf = dir.appendingPathComponent("hf").path
        let textsJSON = String(decoding: try JSONSerialization.data(withJSONObject: Self.texts), as: UTF8.self)
        let expected = try GGUFPy.json(Self.oracle, [hf, "/usr/share/common-licenses/GPL-3", textsJSON])
        let pieces = try #require(expected["pieces"] as? [String])
        let scores = try #require(expected["scores"] as? [Double])
        let types = try #require(expected["types"] as? [Int])
        let vocab = try #require(expected["vocab"] as? Int)
        let encoded = try #require(expected["encoded"] as? [[Int]])
        #expect(types.filter { $0 == 6 }.count == 256, "byte fallback pieces")

        let output = dir.appendingPathComponent("spm.gguf").path
        try ConvertHFToGGUF.run(directory: hf, output: output, outType: .f16)
        let file = try GGUFFile(path: output)
        #expect(file.string("tokenizer.ggml.model") == "llama")
        guard case .string(let tokens)? = file.array("tokenizer.ggml.tokens"),
              case .float32(let fileScores)? = file.array("tokenizer.ggml.scores") else {
            Issue.record("tokens/scores missing")
            return
        }
        let fileTypes = file.array("tokenizer.ggml.token_type")?.integers ?? []
        #expect(tokens.count == vocab && fileScores.count == vocab && fileTypes.count == vocab)
        let n = pieces.count
        #expect(Array(tokens.prefix(n)) == pieces)
        #expect(zip(fileScores.prefix(n), scores).allSatisfy { Double($0) == $1 })
        #expect(Array(fileTypes.prefix(n)) == types)
        // The added token (id n) is not marked special but looks it (<|...|>), so control with score -1000, as
        // convert_hf_to_gguf.py decides; the rest pad with unused [PADi] tokens.
        #expect(tokens[n] == "<|tool|>" && fileTypes[n] == 3 && fileScores[n] == -1000)
        #expect(tokens[n + 1] == "[PAD\(n + 1)]" && fileTypes[n + 1] == 5 && fileScores[n + 1] == -10_000)
        #expect(file.int("tokenizer.ggml.bos_token_id") == 1 && file.int("tokenizer.ggml.eos_token_id") == 2)
        #expect(file.int("tokenizer.ggml.unknown_token_id") == 0 && file.bool("tokenizer.ggml.add_bos_token") == true)
        #expect(file.string("tokenizer.chat_template") != nil && file.array("tokenizer.ggml.merges") == nil)

        let model = try LanguageModel(path: output, threads: 2)
        for (text, ids) in zip(Self.texts, encoded) {
            let ours = model.tokenizer.encode(text, addSpecial: true, parseSpecial: false).map(Int.init)
            #expect(ours == [1] + ids, "\(text)")
        }
        let logits = try lastLogits(model, model.tokenizer.encode(Self.texts[0], addSpecial: true, parseSpecial: false))
        #expect(logits.count == vocab && logits.allSatisfy(\.isFinite))
    }

    @Test func aTruncatedTokenizerModelIsAOneLineError() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 2}"#
            .write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("tokenizer.model").path
        try Data([0x0A, 0x40, 0x0A, 0x03, 0x61]).write(to: URL(fileURLWithPath: path))  // a piece claiming 64 bytes
        let output = dir.appendingPathComponent("out.gguf").path
        #expect(throws: QuantizerError.badInput(path: path, reason: "not a SentencePiece model: field 1 runs past the end")) {
            try ConvertHFToGGUF.run(directory: dir.path, output: output)
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
