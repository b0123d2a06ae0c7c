// The parts of a SentencePiece `tokenizer.model` (a serialized sentencepiece.ModelProto protobuf) that a GGUF
// "llama" vocabulary needs: every piece with its score and type, the trainer's model type, and the normalizer's
// add_dummy_prefix flag. A small protobuf wire-format reader; unknown fields are skipped.
import Foundation

struct SentencePieceModelFile {
    /// sentencepiece.ModelProto.SentencePiece.Type; GGUF's token types use the same numbers.
    enum PieceType: Int32 {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    struct Piece: Equatable {
        var text: String
        var score: Float
        var type: PieceType
    }

    /// TrainerSpec.ModelType.
    enum ModelType: Int {
        case unigram = 1, bpe = 2, word = 3, character = 4
    }

    var pieces: [Piece] = []
    var modelType: ModelType = .unigram
    var addDummyPrefix = true

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw QuantizerError.badInput(path: path, reason: "cannot read the file")
        }
        try self.init(data: data, path: path)
    }

    init(data: Data, path: String) throws {
        let bytes = [UInt8](data)
        do {
            var reader = ProtobufReader(bytes[...])
            while let (field, value) = try reader.next() {
                switch (field, value) {
                case (1, .bytes(let message)): pieces.append(try Self.piece(message))
                case (2, .bytes(let message)):  // TrainerSpec
                    var trainer = ProtobufReader(message)
                    while let (f, v) = try trainer.next() {
                        if f == 3, case .varint(let type) = v { modelType = ModelType(rawValue: Int(type)) ?? .unigram }
                    }
                case (3, .bytes(let message)):  // NormalizerSpec
                    var normalizer = ProtobufReader(message)
                    while let (f, v) = try normalizer.next() {
                        if f == 3, case .varint(let flag) = v { addDummyPrefix = flag != 0 }
                    }
                default: break
                }
            }
        } catch let error as ProtobufReader.Malformed {
            throw QuantizerError.badInput(path: path, reason: "not a SentencePiece model: \(error.reason)")
        }
        guard !pieces.isEmpty else {
            throw QuantizerError.badInput(path: path, reason: "not a SentencePiece model: no pieces")
        }
    }

    private static func piece(_ message: ArraySlice<UInt8>) throws -> Piece {
        var reader = ProtobufReader(message)
        var piece = Piece(text: "", score: 0, type: .normal)
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let text)):
                guard let string = String(validating: text, as: UTF8.self) else {
                    throw ProtobufReader.Malformed(reason: "a piece is not UTF-8")
                }
                piece.text = string
            case (2, .fixed32(let bits)): piece.score = Float(bitPattern: bits)
            case (3, .varint(let type)): piece.type = PieceType(rawValue: Int32(truncatingIfNeeded: type)) ?? .normal
            default: break
            }
        }
        return piece
    }
}

/// Protobuf wire format: (field number, value) pairs.
struct ProtobufReader {
    enum Value {
        case varint(UInt64), fixed64(UInt64), bytes(ArraySlice<UInt8>), fixed32(UInt32)
    }

    struct Malformed: Error {
        let reason: String
    }

    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    mutating func next() throws -> (Int, Value)? {
        guard !bytes.isEmpty else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1: return (field, .fixed64(try fixed(8)))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.count) else { throw Malformed(reason: "field \(field) runs past the end") }
            let value = bytes.prefix(Int(length))
            bytes = bytes.dropFirst(Int(length))
            return (field, .bytes(value))
        case 5: return (field, .fixed32(UInt32(try fixed(4))))
        default: throw Malformed(reason: "unsupported wire type \(key & 7) for field \(field)")
        }
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = bytes.first {
            bytes = bytes.dropFirst()
            guard shift < 64 else { throw Malformed(reason: "varint too long") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw Malformed(reason: "truncated varint")
    }

    private mutating func fixed(_ count: Int) throws -> UInt64 {
        guard bytes.count >= count else { throw Malformed(reason: "truncated fixed-width field") }
        var result: UInt64 = 0
        for (i, byte) in bytes.prefix(count).enumerated() { result |= UInt64(byte) << (8 * UInt64(i)) }
        bytes = bytes.dropFirst(count)
        return result
    }
}
