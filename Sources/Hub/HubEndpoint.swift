// Where the Hub is and who we are: HF_ENDPOINT (default https://huggingface.co) and HF_TOKEN, read the way
// huggingface_hub reads them (HUGGING_FACE_HUB_TOKEN is its older name for the token).
import Foundation

public struct HubEndpoint: Sendable, Equatable {
    public static let defaultURL = URL(string: "https://huggingface.co")!

    public var baseURL: URL
    public var token: String?

    public init(baseURL: URL = HubEndpoint.defaultURL, token: String? = nil) {
        self.baseURL = baseURL
        self.token = token
    }

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var base = HubEndpoint.defaultURL
        if let raw = environment["HF_ENDPOINT"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty,
           let url = URL(string: raw.hasSuffix("/") ? String(raw.dropLast()) : raw) {
            base = url
        }
        let token = [environment["HF_TOKEN"], environment["HUGGING_FACE_HUB_TOKEN"]]
            .compactMap { $0?.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty }
        self.init(baseURL: base, token: token)
    }

    /// base + "/" + already-escaped path (and query).
    func url(_ escapedPath: String) -> URL {
        URL(string: baseURL.absoluteString + escapedPath)!
    }

    /// A path segment escaped for a URL (a repo file path keeps its slashes; a revision does not).
    static func escape(_ s: String, keepSlashes: Bool) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~" + (keepSlashes ? "/" : ""))
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// Same scheme, host and port: the token may be sent there (not to a storage host on another origin).
    public static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        func port(_ u: URL) -> Int? { u.port ?? (u.scheme == "https" ? 443 : u.scheme == "http" ? 80 : nil) }
        return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
            && port(a) == port(b)
    }
}
