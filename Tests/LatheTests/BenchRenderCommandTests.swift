// `lathe bench render --model M`: the real binary streams a short reply from SmolLM2 through the TUI's run loop
// and reports frame times and token-to-screen latencies as one JSON object, beside the synthetic redraw figures.
import Foundation
import LatheTestSupport
import Testing

@Test func benchRenderWithAModelReportsFrameLatencyWhileTheEngineStreams() async throws {
    let result = try await offPool { try Run.lathe(["bench", "render", "--model", TestPaths.smollm2, "-n", "24", "-t", "2"]) }
    try #require(result.status == 0, "lathe failed: \(result.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect((object["full_frames_per_second"] as? Double ?? 0) > 0)
    let streaming = try #require(object["engine_streaming"] as? [String: Any])
    #expect(streaming["backend"] as? String == "memory")
    #expect(streaming["size"] as? String == "200x60")
    let tokens = try #require(streaming["tokens_streamed"] as? Int)
    #expect((1...24).contains(tokens))
    #expect((streaming["gen_tps"] as? Double ?? 0) > 0)
    let frames = try #require(streaming["frames"] as? Int)
    #expect(frames >= 1)
    let frameTime = try #require(streaming["frame_time"] as? [String: Any])
    let latency = try #require(streaming["event_to_screen"] as? [String: Any])
    #expect(frameTime["count"] as? Int == frames)
    #expect((latency["count"] as? Int ?? 0) >= tokens)                    // every token was timed onto the screen
    for stats in [frameTime, latency] {
        let p50 = stats["p50_ms"] as? Double ?? -1, p99 = stats["p99_ms"] as? Double ?? -1
        let mean = stats["mean_ms"] as? Double ?? -1, worst = stats["max_ms"] as? Double ?? -1
        #expect(p50 > 0 && p50 <= p99 && p99 <= worst && mean <= worst, "inconsistent figures: \(stats)")
    }
}

@Test func benchRenderTerminalNeedsATerminal() async throws {
    let result = try await offPool { try Run.lathe(["bench", "render", "--model", TestPaths.smollm2, "-n", "4", "--terminal"]) }
    #expect(result.status == 1)
    #expect(result.stderr == "error: --terminal needs a terminal (run it in a 200x60 tmux pane)\n")
}
