// llama-bench's two measurements: pp<N> (one N-token prompt processed as a batch) and tg<N> (N tokens
// generated one at a time after an empty context), each repeated and reported as mean ± stddev tokens/s.
// Model load is excluded; tokens are random ids (as llama-bench's), so the figures do not depend on text.
import Foundation

public struct BenchResult: Sendable, Codable {
    public var test: String
    public var nThreads: Int
    public var avgTs: Double
    public var stddevTs: Double
    public var samplesTs: [Double]

    enum CodingKeys: String, CodingKey {
        case test, nThreads = "n_threads", avgTs = "avg_ts", stddevTs = "stddev_ts", samplesTs = "samples_ts"
    }
}

public enum EngineBench {
    public static func promptProcessing(_ session: InferenceSession, tokens n: Int, repetitions: Int,
                                        threads: Int) throws -> BenchResult {
        var rng = Xoshiro256(seed: 42)
        let vocabulary = UInt64(session.vocabularySize)
        let prompt = (0..<n).map { _ in Int32(rng.next() % vocabulary) }
        session.reset()
        try session.evaluate(Array(prompt.prefix(16)), logits: .last)  // warm-up: page in the weights
        let samples = try (0..<repetitions).map { _ -> Double in
            session.reset()
            let start = DispatchTime.now().uptimeNanoseconds
            try session.evaluate(prompt, logits: .last)
            return Double(n) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return result("pp\(n)", samples, threads)
    }

    public static func tokenGeneration(_ session: InferenceSession, tokens n: Int, repetitions: Int,
                                       threads: Int, firstToken: Int32) throws -> BenchResult {
        var rng = Xoshiro256(seed: 7)
        let vocabulary = UInt64(session.vocabularySize)
        session.reset()
        try session.evaluate([firstToken], logits: .last)  // warm-up
        let samples = try (0..<repetitions).map { _ -> Double in
            session.reset()
            var token = firstToken
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<n {
                // As llama-bench: the next input is a random id (no sampling cost is measured).
                try session.evaluate([token], logits: .last)
                token = Int32(rng.next() % vocabulary)
            }
            return Double(n) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return result("tg\(n)", samples, threads)
    }

    private static func result(_ test: String, _ samples: [Double], _ threads: Int) -> BenchResult {
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.count > 1
            ? samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples.count - 1) : 0
        return BenchResult(test: test, nThreads: threads, avgTs: mean, stddevTs: variance.squareRoot(), samplesTs: samples)
    }
}
