// `lathe bench serve --url`: the HTTP load client against a real `lathe serve` on loopback, through
// /v1/completions and /v1/chat/completions, and its one-line errors.
import Foundation
import LatheTestSupport
import Testing

@Suite(.serialized) struct HTTPLoadBenchTests {
    func bench(_ arguments: [String]) throws -> [String: Any] {
        let result = try Run.process(TestPaths.latheBinary, ["bench", "serve"] + arguments)
        #expect(result.status == 0, "lathe bench serve failed: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(object, "not a JSON object: \(result.stdout)")
    }

    @Test func measuresLatheServeOverHTTP() throws {
        // 5 slots: the loaded-TTFT probe needs one free beside the 4 background streams.
        let server = try ServerProcess(["--parallel", "5", "--ctx", "1280"])
        let report = try bench(["--url", server.baseURL, "--streams", "1,4", "-n", "16", "-r", "1"])
        #expect(report["test"] as? String == "serve-http")
        #expect(report["model"] as? String == ServerProcess.modelID, "the model comes from /v1/models")
        let promptTokens = try #require(report["prompt_tokens"] as? Int)
        #expect((30...60).contains(promptTokens), "prompt tokens from the server's usage: \(promptTokens)")
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.map { $0["streams"] as? Int } == [1, 4])
        // ignore_eos: every stream generates exactly -n tokens.
        #expect(rows.map { $0["generated_tokens"] as? Int } == [16, 64])
        for row in rows {
            let aggregate = try #require(row["aggregate_tps"] as? Double)
            let perStream = try #require(row["per_stream_tps"] as? Double)
            let ttft = try #require(row["ttft_mean_ms"] as? Double)
            #expect(aggregate > 1 && perStream > 1 && ttft > 0, "\(row)")
        }
        let idle = try #require(report["ttft_idle_ms"] as? Double)
        let loaded = try #require(report["ttft_under_4_streams_ms"] as? Double)
        #expect(idle > 0 && loaded > 0)
        print("bench serve --url (lathe serve, SmolLM2): \(report)")

        let chat = try bench(["--url", server.baseURL + "/v1", "--model", ServerProcess.modelID, "--chat",
                              "--streams", "2", "-n", "8", "-r", "1"])
        #expect(chat["api"] as? String == "chat")
        #expect((chat["rows"] as? [[String: Any]])?.first?["generated_tokens"] as? Int == 16)
        #expect(server.process.stop() == 0, "the server still stops gracefully")
    }

    @Test func unreachableServerAndBadArgumentsFailWithOneLine() throws {
        let refused = try Run.process(TestPaths.latheBinary, ["bench", "serve", "--url", "http://127.0.0.1:1", "-r", "1"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("cannot reach the server: 127.0.0.1:1"), "\(refused.stderr)")
        let https = try Run.process(TestPaths.latheBinary, ["bench", "serve", "--url", "https://example.com"])
        #expect(https.status != 0 && https.stderr.contains("--url: expected http://HOST:PORT"), "\(https.stderr)")
        let neither = try Run.process(TestPaths.latheBinary, ["bench", "serve"])
        #expect(neither.status != 0 && neither.stderr.contains("either MODEL"), "\(neither.stderr)")
    }
}
