// `lathe quantize IN OUT TYPE [--threads N] [--allow-requantize] [--tensor-type PATTERN=TYPE ...] [--pure]`:
// llama-quantize's GGUF -> GGUF quantization (see Quantizer/QuantizeModel.swift).
import ArgumentParser
import Engine
import Foundation
import GGUF
import Quantizer

struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantize a GGUF model to another type or llama.cpp mix (Q4_K_M, Q8_0, F16, ...).",
        discussion: "TYPE is one of: \(QuantFileType.spellings) (aliases Q3_K, Q4_K, Q5_K mean the _M mixes).")

    @Argument(help: "The input GGUF: a path, or a name (or unique part of one) in the models directory.")
    var input: String
    @Argument(help: "The output GGUF path (written to OUT.tmp, then renamed).") var output: String
    @Argument(help: "Target file type, spelled as llama-quantize spells it.") var type: String
    @Option(name: [.customShort("t"), .long], help: "Threads.") var threads = ThreadCount.default
    @Flag(help: "Allow converting tensors that are already quantized (dequantize, then quantize).")
    var allowRequantize = false
    @Option(name: .customLong("tensor-type"), help: "PATTERN=TYPE: tensors whose name matches the regex get TYPE (repeatable).")
    var tensorTypes: [String] = []
    @Flag(help: "Give every quantizable tensor the default type of TYPE (no mix).") var pure = false
    @Flag(help: "Print one JSON object (sizes, seconds, peak RSS) instead of the per-tensor log.") var json = false
    @OptionGroup var location: ModelsDirectoryOption

    func validate() throws {
        guard QuantFileType(name: type) != nil else {
            throw ValidationError("unknown TYPE '\(type)' (expected one of \(QuantFileType.spellings))")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1.") }
    }

    func run() throws {
        try CLIErrors.guarded {
            let fileType = QuantFileType(name: type)!
            let inputPath = try location.directory.resolve(input)
            let options = QuantizeOptions(fileType: fileType, threads: threads, allowRequantize: allowRequantize,
                                          overrides: try tensorTypes.map(TensorTypeOverride.init(parsing:)), pure: pure)
            let log = FileHandle.standardError
            if QuantizeModel.requantizes(try QuantizeModel.plan(try GGUFFile(path: inputPath), options: options)) {
                log.write(Data("warning: requantizing already quantized tensors: quality is lower than quantizing from F16/F32\n".utf8))
            }
            let result = try QuantizeModel.run(input: inputPath, output: output, options: options) { progress in
                guard !json else { return }
                let entry = progress.tensor
                guard progress.tensorFinished else { return }
                let shape = entry.info.dims.map(String.init).joined(separator: " x ")
                var line = String(format: "[%4d/%4d] %-36@ [%@] %@", progress.index + 1, progress.count,
                                  entry.name as NSString, shape as NSString, entry.info.type.name as NSString)
                if entry.needsConversion {
                    line += " -> \(entry.targetType.name)"
                    if entry.fellBack { line += " (fallback)" }
                    if let error = progress.relativeError { line += String(format: ", rel. error %.5f", error) }
                } else {
                    line += " (copied)"
                }
                log.write(Data((line + "\n").utf8))
            }
            if !json {
                print(String(format: "%@: %.2f MiB -> %.2f MiB (%@) in %.2f s, %d fallback tensor(s)", result.output,
                             Double(result.inputBytes) / 1_048_576, Double(result.outputBytes) / 1_048_576,
                             fileType.rawValue, result.seconds, result.fallbacks))
            } else {
                var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as? [String: Any] ?? [:]
                object["peak_rss_mib"] = PeakMemory.residentMiB
                object["threads"] = threads
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}

/// The process's peak resident set size (getrusage's ru_maxrss, KiB on Linux).
enum PeakMemory {
    static var residentMiB: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
