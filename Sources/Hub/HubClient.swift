// The Hub's HTTP API: search, model info, the file tree (sizes and sha256), and the resolve URL of a file.
// Status codes become HubErrors the way huggingface_hub reads them (X-Error-Code: RepoNotFound, GatedRepo,
// EntryNotFound, RevisionNotFound).
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

public struct HubClient: Sendable {
    public var endpoint: HubEndpoint
    public var transport: HTTPTransport

    public init(endpoint: HubEndpoint = HubEndpoint(), transport: HTTPTransport = HTTPTransport()) {
        self.endpoint = endpoint
        self.transport = transport
    }

    /// `GET /api/models?search=…&filter=gguf&sort=downloads&direction=-1&limit=…`
    public func search(_ query: String, limit: Int = 20, filter: String? = "gguf") async throws -> [HubModelListing] {
        var items = [URLQueryItem(name: "search", value: query)]
        if let filter { items.append(URLQueryItem(name: "filter", value: filter)) }
        items += [URLQueryItem(name: "sort", value: "downloads"), URLQueryItem(name: "direction", value: "-1"),
                  URLQueryItem(name: "limit", value: String(limit))]
        var components = URLComponents()
        components.queryItems = items
        let url = endpoint.url("/api/models" + (components.percentEncodedQuery.map { "?" + $0 } ?? ""))
        return try await getJSON([HubModelListing].self, url, repo: nil)
    }

    /// `GET /api/models/{repo}` (or `/api/models/{repo}/revision/{revision}`).
    public func modelInfo(_ repo: String, revision: String? = nil) async throws -> HubModelInfo {
        var path = "/api/models/\(HubEndpoint.escape(repo, keepSlashes: true))"
        if let revision { path += "/revision/\(HubEndpoint.escape(revision, keepSlashes: false))" }
        return try await getJSON(HubModelInfo.self, endpoint.url(path), repo: repo, revision: revision)
    }

    /// Every file of the repository at `revision`, recursively, following `Link: <…>; rel="next"` pages.
    public func tree(_ repo: String, revision: String = "main") async throws -> [HubTreeEntry] {
        var url: URL? = endpoint.url("/api/models/\(HubEndpoint.escape(repo, keepSlashes: true))/tree/"
                                     + "\(HubEndpoint.escape(revision, keepSlashes: false))?recursive=true")
        var entries: [HubTreeEntry] = []
        var pages = 0
        while let pageURL = url, pages < 1000 {
            let result = try await get(pageURL, repo: repo, revision: revision)
            entries += try decode([HubTreeEntry].self, result)
            url = Self.nextPage(result.header("Link"), relativeTo: pageURL)
            pages += 1
        }
        return entries.filter { $0.type == "file" }
    }

    /// `{endpoint}/{repo}/resolve/{revision}/{file}`: answers with a redirect to storage that honours Range.
    public func resolveURL(repo: String, revision: String, file: String) -> URL {
        endpoint.url("/\(HubEndpoint.escape(repo, keepSlashes: true))/resolve/"
                     + "\(HubEndpoint.escape(revision, keepSlashes: false))/\(HubEndpoint.escape(file, keepSlashes: true))")
    }

    // MARK: Plumbing

    func get(_ url: URL, repo: String?, revision: String? = nil, file: String? = nil) async throws -> HTTPResult {
        let result = try await transport.send(url, headers: ["Accept": "application/json"], token: endpoint.token,
                                              tokenOrigin: endpoint.baseURL)
        try check(result, repo: repo, revision: revision, file: file)
        return result
    }

    private func getJSON<T: Decodable>(_ type: T.Type, _ url: URL, repo: String?, revision: String? = nil) async throws -> T {
        try decode(type, try await get(url, repo: repo, revision: revision))
    }

    private func decode<T: Decodable>(_ type: T.Type, _ result: HTTPResult) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: result.body)
        } catch {
            throw HubError.badResponse(url: result.url.absoluteString, reason: "JSON not as expected (\(Self.describe(error)))")
        }
    }

    /// Throws the HubError for a non-2xx answer.
    func check(_ result: HTTPResult, repo: String?, revision: String?, file: String?) throws {
        guard !(200..<300).contains(result.status) else { return }
        throw Self.error(for: result, repo: repo, revision: revision, file: file, tokenSet: endpoint.token != nil)
    }

    static func error(for result: HTTPResult, repo: String?, revision: String?, file: String?, tokenSet: Bool) -> HubError {
        let code = result.header("X-Error-Code") ?? ""
        let detail = result.header("X-Error-Message") ?? Self.jsonError(result.body) ?? ""
        let status = result.status
        switch (status, code) {
        case (_, "RepoNotFound") where repo != nil: return .repoNotFound(repo: repo!)
        case (_, "RevisionNotFound") where repo != nil: return .revisionNotFound(repo: repo!, revision: revision ?? "main")
        case (_, "EntryNotFound") where repo != nil && file != nil:
            return .fileNotFound(repo: repo!, file: file!, revision: revision ?? "main")
        case (401, _) where repo != nil, (403, _) where repo != nil:
            return .unauthorized(repo: repo!, status: status, tokenSet: tokenSet, detail: detail)
        case (404, _) where repo != nil && file != nil:
            return .fileNotFound(repo: repo!, file: file!, revision: revision ?? "main")
        case (404, _) where repo != nil: return .repoNotFound(repo: repo!)
        default: return .http(url: result.url.absoluteString, status: status, detail: detail)
        }
    }

    private static func jsonError(_ body: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        return object["error"] as? String
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            return "\(context.debugDescription) at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: return String(describing: error)
        }
    }

    /// The `rel="next"` target of a Link header.
    static func nextPage(_ link: String?, relativeTo base: URL) -> URL? {
        guard let link else { return nil }
        for part in link.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 2, fields.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "rel=\"next\"" }),
                  fields[0].hasPrefix("<"), fields[0].hasSuffix(">") else { continue }
            return URL(string: String(fields[0].dropFirst().dropLast()), relativeTo: base)?.absoluteURL
        }
        return nil
    }
}
