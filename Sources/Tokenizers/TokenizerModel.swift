// The model stage of the pipeline (registry keyed by `tokenizer.ggml.model`): turns partitioned text into ids
// and knows how a normal token's text maps back to bytes.

protocol TokenizerModel: Sendable {
    var vocabulary: Vocabulary { get }
    /// Appends the ids of `fragments` of `bytes` (raw text ranges and already-recognised special tokens).
    func encode(_ bytes: UnsafeBufferPointer<UInt8>, fragments: [Fragment], into out: inout [Int32])
    /// The bytes a normal (non-special, non-byte) token stands for.
    func normalPiece(_ token: Int32) -> [UInt8]
}
