// The Hub look-alike each test starts (Tests/Support/hub_server.py) and the real SmolLM2 GGUF it serves.
import Foundation
import Hub
import LatheTestSupport

enum Smol {
    static let name = "SmolLM2-135M-Instruct.Q4_1.gguf"
    static let sha256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    static let size: Int64 = 98_362_432
    static var path: String { TestPaths.smollm2 }
    static var file: HubTestServer.File { .local(name, from: path, sha256: sha256) }
}

/// A fresh scratch directory, removed by `cleanup`.
func scratchDirectory(_ label: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

func client(_ server: HubTestServer, token: String? = nil, stall: Double = 10) -> HubClient {
    HubClient(endpoint: HubEndpoint(baseURL: URL(string: server.endpoint)!, token: token),
              transport: HTTPTransport(stallTimeout: stall))
}

/// A quick retry policy so retry tests take milliseconds.
let fastRetry = RetryPolicy(maxAttempts: 4, initialDelay: 0.05, maxDelay: 0.2)

func files(in directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
}

/// Storage-server requests for `file`, in order.
func storageRequests(_ server: HubTestServer, _ file: String) throws -> [[String: Any]] {
    try server.requests().filter { ($0["server"] as? String) == "storage" && (($0["path"] as? String) ?? "").hasSuffix(file) }
}
