// `lathe info MODEL [--json]`: the facts of a GGUF model file.
import ArgumentParser
import Foundation
import GGUF

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the facts of a GGUF model file.")

    @OptionGroup var model: ModelOptions
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        // Both a model that cannot be found and a file that cannot be parsed end as one `error:` line, exit 1.
        let path = try CLIErrors.guarded { try model.resolvedPath() }
        let summary = try CLIErrors.guarded { ModelSummary(file: try GGUFFile(path: path)) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(InfoText.render(summary, path: path))
        }
    }
}

enum InfoText {
    static func render(_ s: ModelSummary, path: String) -> String {
        func optional(_ v: Int?) -> String { v.map(String.init) ?? "-" }
        let types = s.tensorTypes.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            .map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        return """
        file:            \(path)
        name:            \(s.name ?? "-")
        architecture:    \(s.architecture)
        parameters:      \(s.parameters.formatted()) (\(String(format: "%.2f", Double(s.parameters) / 1e6)) M)
        file size:       \(s.fileSize.formatted()) bytes (\(String(format: "%.1f", Double(s.fileSize) / 1_048_576)) MiB)
        tensors:         \(s.tensorCount): \(types)
        context length:  \(optional(s.contextLength))
        embedding:       \(optional(s.embeddingLength))
        layers:          \(optional(s.blockCount))
        heads:           \(optional(s.headCount)) (KV \(optional(s.headCountKV)))
        feed-forward:    \(optional(s.feedForwardLength))
        vocabulary:      \(optional(s.vocabSize)) (\(s.tokenizerModel ?? "-")\(s.tokenizerPre.map { ", pre-tokenizer \($0)" } ?? ""))
        chat template:   \(s.hasChatTemplate ? "yes" : "no")
        """
    }
}
