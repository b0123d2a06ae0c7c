// The one models directory every command uses: `--models-dir`, else $LATHE_MODELS_DIR, else ./models.
// Resolves a MODEL argument to a file: an existing path, an exact file name, or a unique substring.
import Foundation

public struct ModelDirectory: Sendable {
    public let path: String

    public init(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        path = explicit ?? environment["LATHE_MODELS_DIR"] ?? "models"
    }

    /// GGUF files in the directory, sorted by name.
    public func ggufFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(".gguf") }.sorted()
    }

    public func resolve(_ model: String) throws -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), !isDirectory.boolValue {
            return model
        }
        let files = ggufFiles()
        if let exact = files.first(where: { $0 == model || $0 == model + ".gguf" }) {
            return (path as NSString).appendingPathComponent(exact)
        }
        let matches = files.filter { $0.lowercased().contains(model.lowercased()) }
        if matches.count == 1 { return (path as NSString).appendingPathComponent(matches[0]) }
        if matches.isEmpty {
            throw ModelDirectoryError.notFound(model: model, directory: path, available: files)
        }
        throw ModelDirectoryError.ambiguous(model: model, matches: matches)
    }
}

public enum ModelDirectoryError: Error, LocalizedError {
    case notFound(model: String, directory: String, available: [String])
    case ambiguous(model: String, matches: [String])

    public var errorDescription: String? {
        switch self {
        case let .notFound(model, directory, available):
            let hint = available.isEmpty ? "it has no .gguf files" : "it has: \(available.joined(separator: ", "))"
            return "model '\(model)' not found as a path or in the models directory '\(directory)' (\(hint))"
        case let .ambiguous(model, matches):
            return "model '\(model)' is ambiguous: it matches \(matches.joined(separator: ", "))"
        }
    }
}
