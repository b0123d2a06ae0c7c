// `lathe bench train`: the Trainer's GEMM choice (Kernels vs OpenBLAS on training shapes) and training-step
// throughput of a preset as tokens/s and MFU, printed as one JSON object.
import ArgumentParser
import Foundation
import Trainer

struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Training throughput (tokens/s, MFU) and GEMM speeds, as JSON.")

    @Option(help: "Model preset: tiny or small.") var preset: ModelPreset = .small
    @Option(help: "Sequences per step.") var batch = 8
    @Option(help: "Timed steps (after one warm-up step).") var steps = 5

    func run() throws {
        let shape = preset.shape(vocab: preset.defaultVocabulary)
        let rows = batch * shape.context
        let gemms = [(shape.dim, shape.ffn), (shape.ffn, shape.dim), (shape.dim, shape.queryWidth), (shape.dim, shape.vocab)]
            .map { TrainBench.gemm(rows: rows, inputs: $0.0, outputs: $0.1, threads: ProcessInfo.processInfo.activeProcessorCount) }
        let result = TrainBench.steps(preset: preset, sequences: batch, steps: steps)
        let peakNow = TrainBench.sgemmPeak()
        let object: [String: Any] = [
            "test": "train_step", "preset": result.preset, "parameters": result.parameters,
            "tokens_per_step": result.tokensPerStep, "seconds_per_step": result.secondsPerStep,
            "tokens_per_second": result.tokensPerSecond, "mfu": result.mfu,
            "cpu_seconds_per_step": result.cpuSecondsPerStep, "mfu_from_cpu_time": result.mfuFromCPUTime, "peak_gflops": TrainBench.peakFlops / 1e9,
            "sgemm_1024_gflops_now": peakNow, "mfu_vs_sgemm_now": result.mfu * TrainBench.peakFlops / (peakNow * 1e9),
            "gemm": gemms.map { ["shape_rows_in_out": $0.shape, "kernels_gflops": $0.kernelsGflops,
                                 "openblas_gflops": $0.blasGflops] },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

extension ModelPreset: ExpressibleByArgument {}
