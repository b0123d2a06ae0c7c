// `lathe pull REPO[:QUANT or :FILE]`: download a GGUF model from the Hugging Face Hub into the models directory,
// resuming any `.part` left by an earlier run, retrying broken transfers, verifying sha256 before installing.
import ArgumentParser
import Foundation
import Hub

struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download a GGUF model from the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN).",
        discussion: "REPO is OWNER/NAME; :QUANT picks a quantization (Q4_K_M, Q8_0…), :FILE a file; without either "
            + "Q4_K_M or the nearest is chosen. An interrupted pull resumes where it stopped.")

    @Argument(help: "OWNER/NAME[:QUANT or :FILE]") var spec: String
    @Option(help: "Branch, tag or commit.") var revision = "main"
    @Option(help: "Attempts per file before giving up.") var attempts = 6
    @OptionGroup var location: ModelsDirectoryOption
    @Flag(help: "Print the installed model as one JSON object.") var json = false

    func run() async throws {
        signal(SIGXFSZ, SIG_IGN)          // a file-size limit shows up as EFBIG (a clean error), not a kill
        do {
            let spec = try PullSpec(parsing: self.spec)
            let directory = location.directory.path
            let puller = ModelPuller(client: HubClient(), directory: directory, retry: RetryPolicy(maxAttempts: attempts))
            let plan = try await puller.plan(spec, revision: revision)
            let progress = PullProgress()
            if !json {
                FileHandle.standardError.write(Data(("\(spec.repo): \(plan.choice.name) (\(plan.choice.quantization ?? "?"), "
                    + "\(ByteFormat.string(plan.choice.totalSize)))\n").utf8))
            }
            let model = try await puller.pull(plan) { progress.handle($0) }
            if json {
                printJSON(LocalModelJSON.object(model))
            } else {
                print("installed \(model.paths[0])")
            }
        } catch {
            throw CLIErrors.fail(error)
        }
    }
}

func printJSON(_ object: Any) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    print(String(decoding: data, as: UTF8.self))
}

enum LocalModelJSON {
    static func object(_ m: LocalModel) -> [String: Any] {
        var o: [String: Any] = ["name": m.name, "path": m.paths[0], "paths": m.paths, "size": m.size,
                                "incomplete": m.isIncomplete]
        if let q = m.quantization { o["quantization"] = q }
        if let e = m.entry {
            o["source"] = e.source
            o["added"] = e.added
            o["sha256"] = e.files.map(\.sha256)
            if let r = e.repo { o["repo"] = r }
            if let r = e.revision { o["revision"] = r }
            if let c = e.commit { o["commit"] = c }
            if let origin = e.origin { o["origin"] = origin }
        }
        return o
    }
}
