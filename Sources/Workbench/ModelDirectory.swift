// The one models directory every command uses: `--models-dir`, else $LATHE_MODELS_DIR, else ./models.
// Resolves a MODEL argument to a file: an existing path, an exact name, or a unique substring. A split model's
// parts are one model, named by their shared name ("m-00001-of-00003.gguf" … → "m.gguf"), opened by its first part.
import Foundation
import Hub

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

    /// The models in the directory, sorted by name: each file, or a split model's shared name with all its parts;
    /// `first` is the file to open (a split model's first part, even when that part is missing).
    public func models() -> [(name: String, first: String, files: [String])] {
        var groups: [String: [String]] = [:]
        for file in ggufFiles() { groups[QuantName.splitBase(file), default: []].append(file) }
        return groups.map { name, files in
            let sorted = files.sorted()
            guard let split = QuantName.split(sorted[0]) else { return (name, sorted[0], sorted) }
            let prefix = String(name.dropLast(".gguf".count))
            return (name, String(format: "%@-%05d-of-%05d.gguf", prefix, 1, split.count), sorted)
        }.sorted { $0.name < $1.name }
    }

    public func resolve(_ model: String) throws -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), !isDirectory.boolValue {
            return model
        }
        let models = models()
        func firstPart(_ hit: (name: String, first: String, files: [String])) -> String {
            (path as NSString).appendingPathComponent(hit.first)
        }
        if let exact = models.first(where: { $0.name == model || $0.name == model + ".gguf" || $0.files.contains(model) }) {
            return firstPart(exact)
        }
        let matches = models.filter { $0.name.lowercased().contains(model.lowercased()) }
        if matches.count == 1 { return firstPart(matches[0]) }
        if matches.isEmpty {
            throw ModelDirectoryError.notFound(model: model, directory: self.path, available: models.map(\.name))
        }
        throw ModelDirectoryError.ambiguous(model: model, matches: matches.map(\.name))
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
