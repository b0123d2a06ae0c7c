// A split model (SmolLM2 in three parts, written by gguf-py's split writer) through the real binary and the Hub
// look-alike: `lathe pull REPO:QUANT` fetches all parts as one model, `ls` lists it once with the summed size,
// `info`, `run` and `chat` load it by its shared name (run's greedy tokens equal the single file's), a missing
// part is one error line naming it, and `rm` removes every part and the manifest entry.
import Foundation
import LatheTestSupport
import Testing

@Suite struct SplitModelCommandTests {
    private func lathe(_ args: [String], _ server: HubTestServer, stdin: String? = nil) async throws -> ProcessResult {
        let env = ["HF_ENDPOINT": server.endpoint, "HF_TOKEN": "", "HUGGING_FACE_HUB_TOKEN": "",
                   "LATHE_MODELS_DIR": "/nonexistent-use-models-dir"]
        return try await offPool { try Run.lathe(args, environment: env, stdin: stdin) }
    }

    private func listing(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".manifest.lock") }.sorted()
    }

    @Test func pulledSplitModelIsOneModelEverywhere() async throws {
        let parts = try await offPool { try SplitSmolLM2.parts() }
        let names = (1...3).map(SplitSmolLM2.partName)
        // Hub repos often keep a split quantization in a folder named after it.
        let server = try HubTestServer(repos: [.init("test/split-gguf", files: zip(names, parts).map { name, path in
            .local("Q4_1/\(name)", from: path)
        } + [.text("README.md", "# split")])])
        defer { server.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-cli-split-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sizes = try parts.map { try #require(FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) }

        let pull = try await lathe(["pull", "test/split-gguf:Q4_1", "--models-dir", dir], server)
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(pull.stdout == "installed \(dir)/\(names[0])\n")
        #expect(listing(dir) == ["manifest.json"] + names)

        let ls = try JSONSerialization.jsonObject(with: Data(try await lathe(["ls", "--json", "--models-dir", dir], server).stdout.utf8)) as? [[String: Any]]
        #expect(ls?.count == 1)
        #expect(ls?.first?["name"] as? String == SplitSmolLM2.modelName && ls?.first?["quantization"] as? String == "Q4_1")
        #expect(ls?.first?["size"] as? Int == sizes.reduce(0, +) && (ls?.first?["sha256"] as? [String])?.count == 3)
        #expect(ls?.first?["incomplete"] as? Bool == false)
        #expect(try await lathe(["ls", "--models-dir", dir], server).stdout.contains("(3 parts)"))

        let info = try await lathe(["info", "smollm2-split", "--models-dir", dir, "--json"], server)
        let facts = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
        #expect(facts?["parameters"] as? Int == 134_515_008 && facts?["tensor_count"] as? Int == 272, "\(info.stderr)")
        #expect(facts?["file_size"] as? Int == sizes.reduce(0, +))

        let prompt = ["The capital of France is", "-n", "8", "--temp", "0", "--json"]
        let split = try await lathe(["run", "smollm2-split"] + prompt + ["--models-dir", dir], server)
        let single = try await lathe(["run", TestPaths.smollm2] + prompt, server)
        #expect(split.status == 0 && single.status == 0, "\(split.stderr)\(single.stderr)")
        func tokens(_ r: ProcessResult) -> [Int]? {
            (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["tokens"] as? [Int]
        }
        #expect(tokens(split) != nil && tokens(split)?.count == 8 && tokens(split) == tokens(single))

        let chat = try await lathe(["chat", "smollm2-split", "--models-dir", dir, "-n", "8", "--temp", "0"], server, stdin: "Hello\n")
        #expect(chat.status == 0 && !chat.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(chat.stderr)")

        // A part gone: one error line naming it and what was expected.
        let moved = dir + "/../moved-\(UUID().uuidString).gguf"
        try FileManager.default.moveItem(atPath: "\(dir)/\(names[1])", toPath: moved)
        defer { try? FileManager.default.removeItem(atPath: moved) }
        let broken = try await lathe(["info", "smollm2-split", "--models-dir", dir], server)
        #expect(broken.status == 1)
        #expect(broken.stderr.hasPrefix("error: '\(dir)/\(names[1])': missing: part 2 of the 3 of split model") && broken.stderr.split(separator: "\n").count == 1,
                "\(broken.stderr)")
        #expect(try await lathe(["ls", "--models-dir", dir], server).stdout.contains("INCOMPLETE"))
        try FileManager.default.moveItem(atPath: moved, toPath: "\(dir)/\(names[1])")

        let rm = try await lathe(["rm", "smollm2-split", "--models-dir", dir], server)
        #expect(rm.status == 0 && rm.stdout.hasPrefix("removed \(SplitSmolLM2.modelName) (3 files,"), "\(rm.stdout)\(rm.stderr)")
        #expect(listing(dir) == ["manifest.json"])
    }
}
