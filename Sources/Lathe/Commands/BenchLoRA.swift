// `lathe bench lora MODEL`: LoRA (QLoRA-style, frozen quantized base) training throughput and peak memory
// at a sequence length, as one JSON object.
import ArgumentParser
import Engine
import Foundation
import Trainer

struct BenchLoRA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lora", abstract: "LoRA training throughput (tokens/s) and peak memory on a GGUF model, as JSON.")

    @OptionGroup var model: ModelOptions
    @Option(name: .customLong("seq"), help: "Sequence length.") var sequenceLength = 256
    @Option(help: "Sequences per step.") var batch = 1
    @Option(help: "Timed steps (after one warm-up step).") var steps = 3
    @Option(help: "LoRA rank.") var rank = 16
    @Option(help: "Dropout on the adapters' input, 0 to 0.9 (masks drawn afresh each step, as in training).")
    var dropout: Double = 0
    @Option(help: "Projections to adapt: q,k,v,o,gate,up,down or all.") var targets = "all"

    func run() throws {
        try CLIErrors.guarded {
            let r = try LoRABench.run(model: try model.resolvedPath(), sequenceLength: sequenceLength, sequences: batch,
                                      steps: steps, rank: rank, targets: try LoRATarget.parseList(targets),
                                      dropout: dropout)
            let object: [String: Any] = [
                "test": "lora_step", "seq": r.sequenceLength, "batch": r.sequences, "rank": r.rank, "dropout": r.dropout,
                "targets": r.targets,
                "trainable_parameters": r.trainableParameters, "seconds_per_step": r.secondsPerStep,
                "tokens_per_second": r.tokensPerSecond, "peak_rss_bytes": r.peakResidentBytes,
                "model_file_bytes": r.modelFileBytes,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
    }
}
