// Every way talking to the Hub or downloading can fail, each with a one-line message that says what to do.
import Foundation

public enum HubError: Error, LocalizedError, Equatable {
    /// 401/403 on a gated or private repository.
    case unauthorized(repo: String, status: Int, tokenSet: Bool, detail: String)
    case repoNotFound(repo: String)
    case fileNotFound(repo: String, file: String, revision: String)
    case revisionNotFound(repo: String, revision: String)
    case http(url: String, status: Int, detail: String)
    case transport(url: String, reason: String)
    case badResponse(url: String, reason: String)
    case checksumMismatch(file: String, expected: String, actual: String)
    case sizeMismatch(file: String, expected: Int64, actual: Int64)
    case insufficientSpace(directory: String, needed: Int64, free: Int64)
    case diskFull(path: String, written: Int64, needed: Int64)
    case io(path: String, reason: String)
    case noGGUF(repo: String)
    case noMatch(repo: String, wanted: String, available: [String])
    case ambiguous(repo: String, wanted: String, matches: [String])
    case badSpec(String)
    case cancelled

    public var errorDescription: String? {
        switch self {
        case let .unauthorized(repo, status, tokenSet, detail):
            let why = detail.isEmpty ? "" : " (\(detail))"
            return tokenSet
                ? "access to '\(repo)' was refused (HTTP \(status))\(why): the token in HF_TOKEN has no access; "
                    + "accept the model's terms on its Hub page or use a token that can read it"
                : "'\(repo)' is gated or private (HTTP \(status))\(why): set HF_TOKEN to a Hugging Face access token "
                    + "that can read it"
        case let .repoNotFound(repo): return "repository '\(repo)' not found on the Hub (HTTP 404)"
        case let .fileNotFound(repo, file, revision):
            return "file '\(file)' not found in '\(repo)' at revision '\(revision)' (HTTP 404)"
        case let .revisionNotFound(repo, revision): return "revision '\(revision)' not found in '\(repo)'"
        case let .http(url, status, detail):
            return "\(url): HTTP \(status)\(detail.isEmpty ? "" : " (\(detail))")"
        case let .transport(url, reason): return "\(url): \(reason)"
        case let .badResponse(url, reason): return "\(url): unexpected response: \(reason)"
        case let .checksumMismatch(file, expected, actual):
            return "'\(file)' failed verification: sha256 is \(actual), expected \(expected); the download was discarded"
        case let .sizeMismatch(file, expected, actual):
            return "'\(file)' has \(actual) bytes, expected \(expected); the download was discarded"
        case let .insufficientSpace(directory, needed, free):
            return "not enough disk space in '\(directory)': the download needs \(ByteFormat.string(needed)) "
                + "but only \(ByteFormat.string(free)) is free"
        case let .diskFull(path, written, needed):
            return "disk full while writing '\(path)' after \(ByteFormat.string(written)) of "
                + "\(ByteFormat.string(needed)); the partial file was removed"
        case let .io(path, reason): return "'\(path)': \(reason)"
        case let .noGGUF(repo): return "'\(repo)' has no .gguf files"
        case let .noMatch(repo, wanted, available):
            return "'\(repo)' has no GGUF file matching '\(wanted)'; it has: \(available.joined(separator: ", "))"
        case let .ambiguous(repo, wanted, matches):
            return "'\(wanted)' matches several files in '\(repo)': \(matches.joined(separator: ", "))"
        case let .badSpec(message): return message
        case .cancelled: return "cancelled"
        }
    }

    /// Worth another attempt: server errors, rate limits and broken connections.
    public var isRetryable: Bool {
        switch self {
        case .http(_, let status, _): return status >= 500 || status == 429 || status == 408
        case .transport: return true
        default: return false
        }
    }
}

/// Human byte counts: 1.5 GB, 98.4 MB, 512 KB (decimal units, as the Hub shows sizes).
public enum ByteFormat {
    public static func string(_ bytes: Int64) -> String {
        let b = Double(bytes)
        if b >= 1e9 { return String(format: "%.2f GB", b / 1e9) }
        if b >= 1e6 { return String(format: "%.1f MB", b / 1e6) }
        if b >= 1e3 { return String(format: "%.0f KB", b / 1e3) }
        return "\(bytes) B"
    }
}
