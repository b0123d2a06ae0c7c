// `lathe info MODEL [--json]`, run as the real binary (built before the tests: .build/{release,debug}/lathe or
// $LATHE_BIN) on both default models, on corrupt files, and through the models-directory resolution.
import Foundation
import LatheTestSupport
import Testing

@Suite struct InfoCommandTests {
    private func json(_ result: ProcessResult) throws -> [String: Any] {
        try #require(result.status == 0, "lathe failed: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(object as? [String: Any])
    }

    private func tensorTypes(_ object: [String: Any]) -> [String: Int] {
        (object["tensor_types"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
    }

    @Test func smolLM2JSON() throws {
        let result = try Run.lathe(["info", TestPaths.smollm2, "--json"])
        let info = try json(result)
        // One JSON object on one line.
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
        #expect(info["architecture"] as? String == "llama")
        #expect(info["parameters"] as? Int == 134_515_008)
        #expect(info["file_size"] as? Int == 98_362_432)
        #expect(tensorTypes(info) == ["Q4_1": 210, "Q8_0": 1, "F32": 61])
        #expect(info["tensor_count"] as? Int == 272)
        #expect(info["context_length"] as? Int == 8192)
        #expect(info["vocab_size"] as? Int == 49152)
        #expect(info["has_chat_template"] as? Bool == true)
        #expect(info["embedding_length"] as? Int == 576)
        #expect(info["block_count"] as? Int == 30)
        #expect(info["head_count"] as? Int == 9)
        #expect(info["head_count_kv"] as? Int == 3)
        #expect(info["feed_forward_length"] as? Int == 1536)
        #expect(info["tokenizer_model"] as? String == "gpt2")
        #expect(info["tokenizer_pre"] as? String == "smollm")
        #expect(result.stderr.isEmpty)
    }

    @Test func gemma3JSON() throws {
        let info = try json(try Run.lathe(["info", TestPaths.gemma3, "--json"]))
        #expect(info["architecture"] as? String == "gemma3")
        #expect(info["parameters"] as? Int == 268_098_176)
        #expect(info["file_size"] as? Int == 253_113_024)
        #expect(info["vocab_size"] as? Int == 262_144)
        #expect(info["has_chat_template"] as? Bool == false)
        #expect(info["context_length"] as? Int == 32768)
        #expect(info["embedding_length"] as? Int == 640)
        #expect(info["block_count"] as? Int == 18)
        #expect(info["head_count"] as? Int == 4)
        #expect(info["head_count_kv"] as? Int == 1)
        #expect(info["feed_forward_length"] as? Int == 2048)
        #expect(info["tokenizer_model"] as? String == "llama")
        // PEERS.md: token_embd Q8_0; attn_q/k, ffn_gate/up and half of attn_v Q5_0, the other attn_v Q8_0;
        // attn_output Q4_K; ffn_down Q4_K/Q6_K; 109 F32. Over 18 layers: Q8_0 1 + 9, Q5_0 4*18 + 9,
        // Q4_K 18 + 9, Q6_K 9.
        #expect(tensorTypes(info) == ["F32": 109, "Q8_0": 10, "Q5_0": 81, "Q4_K": 27, "Q6_K": 9])
        #expect(info["tensor_count"] as? Int == 236)
    }

    @Test func textOutput() throws {
        let result = try Run.lathe(["info", TestPaths.smollm2])
        #expect(result.status == 0)
        for line in ["architecture:    llama", "134,515,008", "98,362,432", "Q4_1 ×210", "Q8_0 ×1", "F32 ×61",
                     "context length:  8192", "layers:          30", "heads:           9 (KV 3)",
                     "vocabulary:      49152 (gpt2, pre-tokenizer smollm)", "chat template:   yes"] {
            #expect(result.stdout.contains(line), "missing '\(line)' in:\n\(result.stdout)")
        }
        let gemma = try Run.lathe(["info", TestPaths.gemma3])
        #expect(gemma.status == 0)
        #expect(gemma.stdout.contains("architecture:    gemma3"))
        #expect(gemma.stdout.contains("chat template:   no"))
        #expect(gemma.stdout.contains("262144"))
    }

    // MARK: Errors: exit 1, one `error:` line, no trace

    private func expectCleanFailure(_ result: ProcessResult, mentions: [String],
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "exit status \(result.status)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "stdout: \(result.stdout)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "stderr is not one line: \(result.stderr)",
                sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("error: "), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        for word in ["Stack", "backtrace", "Fatal error", "0x0000"] {
            #expect(!result.stderr.contains(word), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        }
        for m in mentions {
            #expect(result.stderr.contains(m), "stderr '\(result.stderr)' lacks '\(m)'", sourceLocation: sourceLocation)
        }
    }

    private func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-info-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }

    @Test func corruptFilesFailCleanly() throws {
        let smol = try Data(contentsOf: URL(fileURLWithPath: TestPaths.smollm2), options: .alwaysMapped)
        var badVersion = Data(smol.prefix(4096))
        badVersion[4] = 7
        var hugeCount = Data(smol.prefix(4096))
        hugeCount.replaceSubrange(16..<24, with: [UInt8](repeating: 0xFF, count: 8))
        var hugeKey = Data(smol.prefix(16384))  // the first key's length set past the end of the file
        hugeKey.replaceSubrange(24..<32, with: [UInt8](repeating: 0xFF, count: 8))
        let cases: [(String, Data, [String])] = [
            ("empty.gguf", Data(), ["truncated", "magic"]),
            ("text.gguf", Data("hello, this is not a model\n".utf8), ["bad magic"]),
            ("version.gguf", badVersion, ["unsupported GGUF version 7"]),
            ("header.gguf", Data(smol.prefix(10)), ["truncated", "tensor_count"]),
            ("kvcount.gguf", hugeCount, ["metadata_kv_count", "too large"]),
            ("metadata.gguf", Data(smol.prefix(100_000)), ["tokenizer.ggml.tokens", "too large"]),
            ("tensors.gguf", Data(smol.prefix(1_785_664 + 1000)), ["past the end of the file"]),
            ("lastbyte.gguf", Data(smol.prefix(smol.count - 33)), ["past the end of the file", "output_norm"]),
            ("key.gguf", hugeKey, ["truncated", "metadata key #0"]),
        ]
        try withTemporaryDirectory { dir in
            for (name, bytes, mentions) in cases {
                let path = dir.appendingPathComponent(name).path
                try bytes.write(to: URL(fileURLWithPath: path))
                expectCleanFailure(try Run.lathe(["info", path]), mentions: mentions)
                expectCleanFailure(try Run.lathe(["info", path, "--json"]), mentions: mentions)
            }
        }
    }

    /// Hostile counts and lengths in the real header, run under a 1 GiB address-space limit (`ulimit -v`): a count
    /// that reached an allocation would kill the process; instead each must end in a clean `error:` line.
    @Test func hostileCountsUnderAMemoryLimit() throws {
        let smol = try Data(contentsOf: URL(fileURLWithPath: TestPaths.smollm2), options: .alwaysMapped)
        let header = [UInt8](smol.prefix(2_000_000))
        let name = Array("tokenizer.ggml.tokens".utf8)
        let tokensKey = try #require((0..<100_000).first { header[$0..<($0 + name.count)].elementsEqual(name) })
        let tokensCount = tokensKey + name.count + 4 + 4  // after the key: value type, element type, then the count
        #expect(header[tokensCount..<(tokensCount + 8)].elementsEqual([0, 0xC0, 0, 0, 0, 0, 0, 0]))  // 49152
        func patched(_ offset: Int, _ value: UInt64) -> [UInt8] {
            var bytes = header
            withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { bytes[offset + i] = b } }
            return bytes
        }
        let cases: [(String, [UInt8], [String])] = [
            ("tensor_count", patched(8, 1 << 40), ["tensor_count", "too large"]),
            ("kv_count", patched(16, .max), ["metadata_kv_count", "too large"]),
            ("key", patched(24, 1 << 62), ["metadata key #0"]),
            ("array", patched(tokensCount, 1 << 61), ["tokenizer.ggml.tokens", "too large"]),
            // A count that fits the file: the strings it reads are garbage and run off the end.
            ("array-in-bounds", patched(tokensCount, 200_000), ["error: "]),
        ]
        try withTemporaryDirectory { dir in
            for (name, bytes, mentions) in cases {
                let path = dir.appendingPathComponent("\(name).gguf").path
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let result = try Run.process("/bin/sh", ["-c", "ulimit -v 1048576; exec \"$0\" info \"$1\"",
                                                         TestPaths.latheBinary, path])
                expectCleanFailure(result, mentions: mentions)
            }
            // The real models load under the same limit.
            let ok = try Run.process("/bin/sh", ["-c", "ulimit -v 1048576; exec \"$0\" info \"$1\" --json",
                                                 TestPaths.latheBinary, TestPaths.gemma3])
            #expect(ok.status == 0, "\(ok.stderr)")
        }
    }

    @Test func nonexistentModel() throws {
        expectCleanFailure(try Run.lathe(["info", "/nonexistent/dir/model.gguf"]),
                           mentions: ["/nonexistent/dir/model.gguf", "not found"])
        try withTemporaryDirectory { dir in
            expectCleanFailure(try Run.lathe(["info", "nosuchmodel", "--models-dir", dir.path]),
                               mentions: ["nosuchmodel", "not found", dir.path, "no .gguf files"])
            // A models directory that does not exist at all.
            let missing = dir.appendingPathComponent("missing").path
            expectCleanFailure(try Run.lathe(["info", "x", "--models-dir", missing]), mentions: ["not found", missing])
        }
        expectCleanFailure(try Run.lathe(["info", "nosuchmodel", "--models-dir", TestPaths.modelsDirectory.path]),
                           mentions: ["not found", "SmolLM2-135M-Instruct.Q4_1.gguf", "gemma3-270m-Q4_K_M.gguf"])
    }

    @Test func directoryIsNotAModel() throws {
        try withTemporaryDirectory { dir in
            let sub = dir.appendingPathComponent("sub.gguf")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            expectCleanFailure(try Run.lathe(["info", sub.path]), mentions: ["error:"])
        }
    }

    // MARK: Models directory resolution

    @Test func modelsDirFlagResolvesASubstring() throws {
        let dir = TestPaths.modelsDirectory.path
        let smol = try json(try Run.lathe(["info", "smollm2", "--models-dir", dir, "--json"]))
        #expect(smol["architecture"] as? String == "llama")
        let gemma = try json(try Run.lathe(["info", "GEMMA", "--models-dir", dir, "--json"]))
        #expect(gemma["architecture"] as? String == "gemma3")
        // An exact file name, with and without the extension.
        let exact = try json(try Run.lathe(["info", "gemma3-270m-Q4_K_M.gguf", "--models-dir", dir, "--json"]))
        #expect(exact["parameters"] as? Int == 268_098_176)
        let stem = try json(try Run.lathe(["info", "SmolLM2-135M-Instruct.Q4_1", "--models-dir", dir, "--json"]))
        #expect(stem["parameters"] as? Int == 134_515_008)
        // Both names contain "q4": ambiguous.
        expectCleanFailure(try Run.lathe(["info", "q4", "--models-dir", dir]), mentions: ["ambiguous", "q4"])
    }

    @Test func environmentVariableResolves() throws {
        let dir = TestPaths.modelsDirectory.path
        let smol = try json(try Run.lathe(["info", "smol", "--json"], environment: ["LATHE_MODELS_DIR": dir]))
        #expect(smol["parameters"] as? Int == 134_515_008)
        try withTemporaryDirectory { empty in
            // The flag wins over the environment.
            let flag = try json(try Run.lathe(["info", "gemma", "--models-dir", dir, "--json"],
                                              environment: ["LATHE_MODELS_DIR": empty.path]))
            #expect(flag["architecture"] as? String == "gemma3")
            // The environment alone, pointing at a directory without the model.
            expectCleanFailure(try Run.lathe(["info", "gemma"], environment: ["LATHE_MODELS_DIR": empty.path]),
                               mentions: ["not found", empty.path])
            // A symlinked model in another directory resolves by substring too.
            try FileManager.default.createSymbolicLink(atPath: empty.appendingPathComponent("my-model.gguf").path,
                                                       withDestinationPath: TestPaths.smollm2)
            let linked = try json(try Run.lathe(["info", "my-model", "--json"], environment: ["LATHE_MODELS_DIR": empty.path]))
            #expect(linked["architecture"] as? String == "llama")
        }
    }

    @Test func defaultModelsDirectoryIsModelsUnderTheWorkingDirectory() throws {
        // Run.lathe runs in the package root, whose models/ holds the test models (when the env var is unset).
        guard ProcessInfo.processInfo.environment["LATHE_MODELS_DIR"] == nil else { return }
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "LATHE_MODELS_DIR")
        let result = try Run.process(TestPaths.latheBinary, ["info", "smollm2", "--json"], environment: environment,
                                     currentDirectory: TestPaths.packageRoot)
        #expect(try json(result)["architecture"] as? String == "llama")
    }
}
