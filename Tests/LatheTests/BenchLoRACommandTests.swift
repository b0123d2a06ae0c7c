// `lathe bench lora MODEL --dropout P` through the real binary: the timed steps run with adapter dropout and the
// JSON says which dropout was measured; a dropout out of range is refused in one line before the model loads.
import Foundation
import LatheTestSupport
import Testing

@Suite struct BenchLoRACommandTests {
    @Test func dropoutIsMeasuredAndReported() throws {
        try #require(FileManager.default.fileExists(atPath: TestPaths.smollm2), "missing \(TestPaths.smollm2)")
        let result = try Run.lathe(["bench", "lora", TestPaths.smollm2, "--seq", "32", "--steps", "1", "--rank", "4",
                                    "--targets", "q,v", "--dropout", "0.1"])
        try #require(result.status == 0, "bench lora failed: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["dropout"] as? Double == 0.1)
        #expect(object["rank"] as? Int == 4 && object["targets"] as? String == "q,v")
        #expect((object["tokens_per_second"] as? Double ?? 0) > 0)
    }

    @Test func dropoutOutOfRangeIsOneLine() throws {
        let result = try Run.lathe(["bench", "lora", TestPaths.smollm2, "--dropout", "0.95"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: bad training config: dropout must be between 0 and 0.9\n")
    }
}
