// `lathe convert HF_DIR OUT.gguf [--outtype f16|bf16|f32|q8_0]` (convert_hf_to_gguf.py for the llama family) and
// `lathe export-hf MODEL OUT_DIR [--dtype f16|bf16|f32] [--shard-mib N]` (the reverse: a HF checkpoint directory).
import ArgumentParser
import Foundation
import Quantizer

extension ConvertHFToGGUF.OutType: ExpressibleByArgument {}
extension SafetensorsDType: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a Hugging Face llama checkpoint (safetensors + config + tokenizer files) to GGUF.")

    @Argument(help: "Directory with config.json, tokenizer.json, tokenizer_config.json and *.safetensors.")
    var directory: String
    @Argument(help: "The output GGUF path.") var output: String
    @Option(help: "Type of the matrices: f32, f16, bf16 or q8_0 (1-D tensors are always F32).")
    var outtype: ConvertHFToGGUF.OutType = .f16

    func run() throws {
        try CLIErrors.guarded {
            let result = try ConvertHFToGGUF.run(directory: directory, output: output, outType: outtype)
            for warning in result.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
            print(String(format: "%@: %d tensors, %.2f MiB (%@)", result.output, result.tensors,
                         Double(result.outputBytes) / 1_048_576, outtype.rawValue.uppercased()))
        }
    }
}

struct ExportHF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-hf",
        abstract: "Write a llama GGUF as a Hugging Face checkpoint directory (dequantized safetensors, config, tokenizer).")

    @OptionGroup var model: ModelOptions
    @Argument(help: "Output directory (created if missing).") var directory: String
    @Option(help: "Safetensors dtype: f32, f16 or bf16.") var dtype: SafetensorsDType = .f16
    @Option(name: .customLong("shard-mib"), help: "Start a new shard after this many MiB.") var shardMiB = 2048

    func validate() throws {
        guard shardMiB >= 1 else { throw ValidationError("--shard-mib must be at least 1.") }
    }

    func run() throws {
        try CLIErrors.guarded {
            let result = try ExportToHF.run(model: try model.resolvedPath(), to: directory,
                                            options: .init(dtype: dtype, shardBytes: shardMiB << 20))
            print("\(directory): \(result.tensors) tensors in \(result.files.joined(separator: ", "))")
        }
    }
}
