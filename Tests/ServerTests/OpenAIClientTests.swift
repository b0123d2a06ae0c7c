// The official `openai` Python client (PyPI) against `lathe serve` with SmolLM2 on loopback: the API,
// the error statuses, the bounded queue and disconnects, and a load test whose answers must equal the
// answers given alone while the server's memory returns to its idle level.
import Foundation
import LatheTestSupport
import Testing

@Suite(.serialized) struct OpenAIClientTests {
    @Test func chatCompletionsModelsAndErrors() throws {
        let server = try ServerProcess(["--parallel", "2", "--ctx", "1024", "--api-key", "test-key"])
        let api = try server.runClientChecks("api", ["--api-key", "test-key"])
        #expect(!(api["chat"] as? String ?? "").isEmpty)
        _ = try server.runClientChecks("errors", ["--api-key", "test-key"])
        #expect(server.process.stop() == 0, "graceful stop on SIGTERM")
    }

    @Test func fullQueueGets429AndDisconnectCancels() throws {
        let server = try ServerProcess(["--parallel", "1", "--max-queue", "1", "--ctx", "2048"])
        _ = try server.runClientChecks("queue")
    }

    @Test func loadTestAnswersMatchAndMemoryReturnsToIdle() throws {
        let server = try ServerProcess(["--parallel", "4", "--ctx", "512"])
        // Warm-up: every slot and the HTTP machinery used once, so "idle" is the steady state. It also
        // records each prompt's answer given alone, which every loaded answer must equal.
        let references = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-load-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: references) }
        _ = try server.runClientChecks("load", ["--requests", "8", "--concurrency", "8", "--references", references])
        let idle = try #require(server.process.residentBytes)
        let load = try server.runClientChecks("load", ["--requests", "64", "--concurrency", "8", "--references", references])
        #expect(load["requests"] as? Int == 64)
        let after = try #require(server.process.residentBytes)
        let allowed = idle + max(24 << 20, idle / 10)
        #expect(after <= allowed, "RSS \(after >> 20) MiB after load vs \(idle >> 20) MiB idle")
        print("load test: \(load), RSS idle \(idle >> 20) MiB, after \(after >> 20) MiB")
    }
}
