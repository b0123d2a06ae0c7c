// `lathe search QUERY`: GGUF repositories on the Hub, most downloaded first.
import ArgumentParser
import Foundation
import Hub

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Search the Hugging Face Hub for GGUF models.")

    @Argument(help: "Words in the repository name.") var query: String
    @Option(help: "How many results.") var limit = 20
    @Flag(help: "Print a JSON array.") var json = false

    func run() async throws {
        do {
            let results = try await HubClient().search(query, limit: limit)
            if json {
                printJSON(results.map { r -> [String: Any] in
                    var o: [String: Any] = ["id": r.id, "downloads": r.downloads ?? 0, "likes": r.likes ?? 0]
                    if let d = r.lastModified ?? r.createdAt { o["updated"] = d }
                    if r.gated?.isGated == true { o["gated"] = true }
                    return o
                })
                return
            }
            if results.isEmpty {
                print("no GGUF models match '\(query)'")
                return
            }
            let width = min(60, max(10, results.map(\.id.count).max() ?? 10))
            print("REPOSITORY".padding(toLength: width, withPad: " ", startingAt: 0) + "  DOWNLOADS  LIKES  UPDATED")
            for r in results {
                let id = r.id.count > width ? String(r.id.prefix(width - 1)) + "…" : r.id.padding(toLength: width, withPad: " ", startingAt: 0)
                let downloads = String(r.downloads ?? 0).leftPad(9)
                let likes = String(r.likes ?? 0).leftPad(5)
                print("\(id)  \(downloads)  \(likes)  \((r.lastModified ?? r.createdAt ?? "").prefix(10))")
            }
        } catch {
            throw CLIErrors.fail(error)
        }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
