// `lathe train` input errors: one line on stderr naming the file or flag, exit code 1 (2 for usage errors),
// and nothing left behind.
import Foundation
import LatheTestSupport
import Testing

@Suite struct TrainCommandErrorTests {
    @Test func missingDataFileIsNamed() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-bad-\(UUID().uuidString)").path
        let r = try Run.lathe(["train", "pretrain", "--data", "/nonexistent/corpus.txt", "--steps", "5", "--out", out])
        #expect(r.status == 1)
        #expect(r.stderr == "error: /nonexistent/corpus.txt: cannot be read\n")
        #expect(!FileManager.default.fileExists(atPath: out), "a failed start must not leave a run directory")
    }

    @Test func resumeOfANonRunIsExplained() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-norun-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Run.lathe(["train", "--resume", dir])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(dir)/config.json: missing; is \(dir) a training run directory?\n")
    }

    @Test func badFlagsAreUsageErrors() throws {
        let r = try Run.lathe(["train", "pretrain", "--data", "/etc/hostname", "--steps", "0", "--out", "/tmp/x"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--steps must be at least 1."))
        let decay = try Run.lathe(["train", "pretrain", "--data", "/etc/hostname", "--steps", "3", "--out", "/tmp/x",
                                   "--decay", "sine"])
        #expect(decay.stderr.contains("--decay must be cosine, linear or constant (got 'sine')."))
    }
}
