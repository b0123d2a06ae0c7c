// A real `lathe serve` on 127.0.0.1 with a free port, for the tests; stopped by its PID.
import Foundation
import LatheTestSupport
import Testing

final class ServerProcess {
    let process: BackgroundProcess
    let baseURL: String
    static let modelID = "SmolLM2-135M-Instruct.Q4_1"

    init(_ arguments: [String]) throws {
        process = try BackgroundProcess(TestPaths.latheBinary, ["serve", TestPaths.smollm2, "--port", "0"] + arguments)
        let port = process.waitForOutput(timeout: 60) { out -> Int? in
            guard let range = out.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression)
            else { return nil }
            return Int(out[range].split(separator: ":").last ?? "")
        }
        guard let port else {
            process.stop()
            throw ServerTestError("lathe serve did not start: \(process.stdout) \(process.stderr)")
        }
        baseURL = "http://127.0.0.1:\(port)"
    }

    deinit { process.stop() }

    /// Runs one suite of openai_client_checks.py (the official openai client) against this server.
    func runClientChecks(_ suite: String, _ extra: [String] = []) throws -> [String: Any] {
        let script = TestPaths.packageRoot.appendingPathComponent("Tests/ServerTests/openai_client_checks.py").path
        let result = try Run.process("python3", [script, suite, "--base-url", baseURL, "--model", Self.modelID] + extra)
        #expect(result.status == 0, "openai client suite \(suite) failed:\n\(result.stderr)\n\(result.stdout)")
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? "{}"
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }
}

struct ServerTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
