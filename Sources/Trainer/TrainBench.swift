// `lathe bench train`: (1) GEMM choice — Kernels' f32 matmul (the Engine's path) vs OpenBLAS sgemm (split
// across the Trainer's pool, as training runs it) on the products a training step runs (y = x·Wᵀ with
// rows = sequences × length); (2) whole optimizer steps of a preset on random tokens: tokens/s and model-FLOPs
// utilisation, MFU = 6 · params · tokens/s ÷ peak, with the peak 245 GFLOP/s measured for sgemm on this
// machine's 2 cores (shared/docs/PERFORMANCE-NOTES.md).
import Foundation
import GGUF
import Kernels

public enum TrainBench {
    public static let peakFlops = 245e9

    public struct GemmResult: Sendable {
        public var shape: String
        public var kernelsGflops: Double
        public var blasGflops: Double
    }

    /// GFLOP/s of y[rows × outputs] = x[rows × inputs] · W[outputs × inputs]ᵀ with both implementations.
    public static func gemm(rows: Int, inputs: Int, outputs: Int, threads: Int, repetitions: Int = 5) -> GemmResult {
        Quantization.initialize()
        var rng = SplitMix64(seed: 3)
        let x = (0..<(rows * inputs)).map { _ in Float(rng.normal()) }
        let w = (0..<(outputs * inputs)).map { _ in Float(rng.normal()) }
        var y = [Float](repeating: 0, count: rows * outputs)
        let flops = 2.0 * Double(rows * inputs * outputs)
        let pool = ThreadPool.shared(threads: threads)
        let buffer = ActivationBuffer(capacity: rows * inputs * 4 + 64)
        func best(_ body: () -> Void) -> Double {
            body()
            var fastest = Double.infinity
            for _ in 0..<repetitions {
                let start = ContinuousClock.now
                body()
                fastest = min(fastest, seconds(ContinuousClock.now - start))
            }
            return flops / fastest / 1e9
        }
        let kernels = w.withUnsafeBytes { wb in
            let matrix = WeightMatrix(data: wb.baseAddress!, type: .f32, rows: outputs, columns: inputs)
            return x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    best {
                        MatMul.multiply(matrix, xp.baseAddress!, tokens: rows, into: yp.baseAddress!,
                                        activations: buffer, pool: pool)
                    }
                }
            }
        }
        let blas = x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    best {
                        Float.parallelGemm(transA: false, transB: true, m: rows, n: outputs, k: inputs, alpha: 1,
                                           a: xp.baseAddress!, lda: inputs, b: wp.baseAddress!, ldb: inputs, beta: 0,
                                           c: yp.baseAddress!, ldc: outputs)
                    }
                }
            }
        }
        return GemmResult(shape: "\(rows)x\(inputs)x\(outputs)", kernelsGflops: kernels, blasGflops: blas)
    }

    /// GFLOP/s of a 1024³ sgemm now, OpenBLAS threading itself over every core (the machine is shared: MFU
    /// against this is the fairer ratio).
    public static func sgemmPeak() -> Double {
        _ = Parallel.pool
        BLAS.threads = ProcessInfo.processInfo.activeProcessorCount
        defer { BLAS.threads = 1 }
        let n = 1024
        let a = [Float](repeating: 0.5, count: n * n), b = a
        var c = [Float](repeating: 0, count: n * n)
        var fastest = Double.infinity
        for _ in 0..<4 {
            let start = ContinuousClock.now
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        Float.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: ap.baseAddress!, lda: n,
                                   b: bp.baseAddress!, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n)
                    }
                }
            }
            fastest = min(fastest, seconds(ContinuousClock.now - start))
        }
        return 2 * Double(n * n * n) / fastest / 1e9
    }

    public struct StepResult: Sendable {
        public var preset: String
        public var parameters: Int
        public var tokensPerStep: Int
        public var secondsPerStep: Double
        public var tokensPerSecond: Double
        public var mfu: Double
        /// Process CPU seconds (all threads) per step: on a shared machine, wall time measures the neighbours;
        /// CPU time measures us. 2 cores busy for (cpu / 2) seconds is the step time the machine alone would give.
        public var cpuSecondsPerStep: Double
        public var mfuFromCPUTime: Double
    }

    /// User + system CPU seconds of this process so far.
    public static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }

    /// Full training steps (forward, backward, clip, AdamW) of `preset` on random tokens; the first is warm-up.
    public static func steps(preset: ModelPreset, sequences: Int, steps: Int) -> StepResult {
        let shape = preset.shape(vocab: preset.defaultVocabulary)
        let params = ParameterStore<Float>(specs: LlamaModel<Float>.parameterSpecs(shape))
        LlamaModel<Float>.initialize(params, shape: shape, seed: 1)
        let model = LlamaModel(shape: shape, parameters: params, maxSequences: sequences, maxTokens: shape.context)
        let optimizer = AdamW<Float>(count: params.count, settings: AdamWSettings())
        var rng = SplitMix64(seed: 2)
        let n = sequences * shape.context
        let tokens = (0..<n).map { _ in Int32(rng.next() % UInt64(shape.vocab)) }
        let targets = (0..<n).map { _ in Int32(rng.next() % UInt64(shape.vocab)) }
        func step() {
            params.zeroGrads()
            tokens.withUnsafeBufferPointer { x in
                targets.withUnsafeBufferPointer { y in
                    _ = model.forward(tokens: x.baseAddress!, targets: y.baseAddress!, sequences: sequences,
                                      length: shape.context)
                }
            }
            model.backward(lossScale: 1 / Float(n))
            GradientClipping.clip(params, maxNorm: 1)
            optimizer.step(params, learningRate: 1e-3)
        }
        step()
        let start = ContinuousClock.now
        let cpuStart = processCPUSeconds()
        for _ in 0..<steps { step() }
        let perStep = seconds(ContinuousClock.now - start) / Double(steps)
        let cpuPerStep = (processCPUSeconds() - cpuStart) / Double(steps)
        let tps = Double(n) / perStep
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let tpsFromCPU = Double(n) / (cpuPerStep / cores)
        return StepResult(preset: preset.rawValue, parameters: shape.parameterCount, tokensPerStep: n,
                          secondsPerStep: perStep, tokensPerSecond: tps,
                          mfu: 6 * Double(shape.parameterCount) * tps / peakFlops, cpuSecondsPerStep: cpuPerStep,
                          mfuFromCPUTime: 6 * Double(shape.parameterCount) * tpsFromCPU / peakFlops)
    }
}
