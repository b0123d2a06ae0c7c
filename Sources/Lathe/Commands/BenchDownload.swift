// `lathe bench download REPO:FILE`: download throughput (MB/s) from the Hub or HF_ENDPOINT into a scratch
// directory, sha256 verified as in `lathe pull`; the scratch copy is deleted afterwards.
import ArgumentParser
import Foundation
import Hub

struct BenchDownload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download", abstract: "Download throughput from the Hub (or HF_ENDPOINT), verified (MB/s).")

    @Argument(help: "OWNER/NAME[:QUANT or :FILE]") var spec: String
    @Option(help: "Repetitions.") var repetitions = 3

    func run() async throws {
        do {
            let spec = try PullSpec(parsing: self.spec)
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-bench-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let puller = ModelPuller(client: HubClient(), directory: scratch, retry: RetryPolicy(maxAttempts: 1))
            let plan = try await puller.plan(spec)
            var rates: [Double] = []
            for _ in 0..<max(1, repetitions) {
                try? FileManager.default.removeItem(atPath: scratch)
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try await puller.pull(plan)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                rates.append(Double(plan.choice.totalSize) / 1e6 / seconds)
            }
            let mean = rates.reduce(0, +) / Double(rates.count)
            printJSON(["test": "download", "file": plan.choice.name, "bytes": plan.choice.totalSize,
                       "repetitions": rates.count, "mb_per_s": (mean * 10).rounded() / 10,
                       "mb_per_s_runs": rates.map { ($0 * 10).rounded() / 10 }, "sha256_verified": true])
        } catch {
            throw CLIErrors.fail(error)
        }
    }
}
