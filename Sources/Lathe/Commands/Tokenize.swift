// `lathe tokenize MODEL TEXT [--no-bos] [--parse-special] [--json]`: the token ids and pieces of a text as the
// model's tokenizer splits it (default: the model's BOS policy, special tokens as plain text, like llama-tokenize).
import ArgumentParser
import Foundation
import GGUF
import Tokenizers

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how a model's tokenizer splits a text: one id and piece per line.")

    @OptionGroup var model: ModelOptions
    @Argument(help: "The text to tokenize.") var text: String
    @Flag(name: .customLong("no-bos"), help: "Do not add BOS/EOS, whatever the model's policy.") var noBOS = false
    @Flag(name: .customLong("parse-special"), help: "Turn special-token text such as <|im_start|> into its token.")
    var parseSpecial = false
    @Flag(help: "Print one JSON object: {\"ids\": [...], \"pieces\": [...]}.") var json = false

    func run() throws {
        let path = try model.resolvedPath()
        let tokenizer = try CLIErrors.guarded { try TokenizerLoader.load(from: try GGUFFile(path: path)) }
        let ids = tokenizer.encode(text, addSpecial: !noBOS, parseSpecial: parseSpecial)
        let pieces = ids.map { TokenizeText.piece(tokenizer.piece($0)) }
        print(json ? TokenizeText.json(ids: ids, pieces: pieces) : TokenizeText.lines(ids: ids, pieces: pieces))
    }
}

enum TokenizeText {
    /// A piece as text: valid UTF-8 as is, stray bytes of a split character as `\xNN`.
    static func piece(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return bytes.map { $0 < 0x80 ? String(UnicodeScalar($0)) : String(format: "\\x%02X", $0) }.joined()
    }

    /// `id<TAB>piece` lines, control characters escaped so every token stays on its line.
    static func lines(ids: [Int32], pieces: [String]) -> String {
        zip(ids, pieces).map { "\($0)\t\(escape($1))" }.joined(separator: "\n")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                    out += String(format: "\\u{%X}", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func json(ids: [Int32], pieces: [String]) -> String {
        struct Output: Encodable { let ids: [Int32]; let pieces: [String] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Output(ids: ids, pieces: pieces))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
