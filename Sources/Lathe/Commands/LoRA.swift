// `lathe lora merge BASE ADAPTER OUT`: bakes LoRA adapters into a new base GGUF.
import ArgumentParser
import Engine
import Foundation
import GGUF

struct LoRACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lora", abstract: "Work with LoRA adapters.", subcommands: [Merge.self])

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge LoRA adapters into a base model, writing a new GGUF (loadable and quantizable).")

        @OptionGroup var model: ModelOptions
        @Argument(help: "The adapter, FILE[:SCALE] (GGUF or PEFT directory).") var adapter: String
        @Argument(help: "The merged GGUF to write.") var output: String
        @Option(name: .customLong("lora"), help: "Further adapters to merge as well, FILE[:SCALE] (repeatable).")
        var moreAdapters: [String] = []
        @Option(help: "Type of the merged weights: f16, f32, or same (re-quantized to the base tensor's type).")
        var type: String = "f16"

        func validate() throws {
            guard LoRAMerge.OutputType(rawValue: type) != nil else {
                throw ValidationError("--type must be one of f16, f32, same (got '\(type)')")
            }
        }

        func run() throws {
            try CLIErrors.guarded {
                let base = try model.resolvedPath()
                let config = try ModelConfig(file: try GGUFFile(path: base))
                let adapters = try ([adapter] + moreAdapters).map { try ScaledLoRA.load($0, config: config) }
                let report = try LoRAMerge.merge(base: base, adapters: adapters, output: output,
                                                 type: LoRAMerge.OutputType(rawValue: type)!)
                print("merged \(report.mergedTensors) tensors (\(report.copiedTensors) copied) into \(output) (\(report.outputBytes) bytes)")
            }
        }
    }
}
