// The local library: the GGUF files in the models directory plus `manifest.json`, which records where each
// came from (repo, revision, file, sha256, size, date). Parts of a split model are one model. The manifest is
// rewritten atomically under an flock, so two processes pulling at once do not lose each other's entries.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct LibraryFile: Sendable, Codable, Equatable {
    /// File name in the models directory.
    public var name: String
    public var sha256: String
    public var size: Int64
    /// Path in the source repository (nil for imports).
    public var repoPath: String?

    public init(name: String, sha256: String, size: Int64, repoPath: String? = nil) {
        self.name = name
        self.sha256 = sha256
        self.size = size
        self.repoPath = repoPath
    }
}

public struct LibraryEntry: Sendable, Codable, Equatable {
    /// The model's name: its file name, or the shared name of a split model's parts.
    public var name: String
    /// "hub" or "import".
    public var source: String
    public var repo: String?
    public var revision: String?
    /// The commit the files came from.
    public var commit: String?
    /// Where an imported file was copied from.
    public var origin: String?
    public var quantization: String?
    public var files: [LibraryFile]
    /// ISO 8601.
    public var added: String

    public init(name: String, source: String, repo: String? = nil, revision: String? = nil, commit: String? = nil,
                origin: String? = nil, quantization: String?, files: [LibraryFile], added: Date = Date()) {
        self.name = name
        self.source = source
        self.repo = repo
        self.revision = revision
        self.commit = commit
        self.origin = origin
        self.quantization = quantization
        self.files = files
        self.added = ISO8601DateFormatter().string(from: added)
    }
}

/// A model in the models directory: its files on disk and, when known, its manifest entry.
public struct LocalModel: Sendable, Equatable {
    public var name: String
    /// Full paths of its files (parts in order); the first is what the engine opens.
    public var paths: [String]
    public var size: Int64
    public var quantization: String?
    public var entry: LibraryEntry?
    /// A split model with parts missing.
    public var isIncomplete: Bool
}

public struct ModelLibrary: Sendable {
    public static let manifestName = "manifest.json"
    public let directory: String

    public init(directory: String) { self.directory = directory }

    var manifestPath: String { (directory as NSString).appendingPathComponent(Self.manifestName) }

    // MARK: Reading

    public func entries() -> [LibraryEntry] {
        guard let data = FileManager.default.contents(atPath: manifestPath),
              let manifest = try? JSONDecoder().decode(Manifest.self, from: data) else { return [] }
        return manifest.models
    }

    /// Every model on disk, by name.
    public func models() -> [LocalModel] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.lowercased().hasSuffix(".gguf") && !$0.hasPrefix(".") }
        var groups: [String: [String]] = [:]
        for name in names { groups[QuantName.splitBase(name), default: []].append(name) }
        let entries = Dictionary(entries().map { ($0.name, $0) }, uniquingKeysWith: { _, b in b })
        return groups.map { base, files in
            let sorted = files.sorted { (QuantName.split($0)?.part ?? 0) < (QuantName.split($1)?.part ?? 0) }
            let paths = sorted.map { (directory as NSString).appendingPathComponent($0) }
            let size = paths.reduce(Int64(0)) { total, path in
                total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0)
            }
            let expectedParts = QuantName.split(sorted[0])?.count ?? 1
            let entry = entries[base]
            return LocalModel(name: base, paths: paths, size: size,
                              quantization: entry?.quantization ?? QuantName.parse(base), entry: entry,
                              isIncomplete: sorted.count != expectedParts)
        }.sorted { $0.name < $1.name }
    }

    /// The model `name` refers to: an exact name (with or without .gguf), else a unique case-insensitive part.
    public func resolve(_ name: String) throws -> LocalModel {
        let all = models()
        if let exact = all.first(where: { $0.name == name || $0.name == name + ".gguf" || $0.paths.contains { ($0 as NSString).lastPathComponent == name } }) {
            return exact
        }
        let hits = all.filter { $0.name.lowercased().contains(name.lowercased()) }
        if hits.count == 1 { return hits[0] }
        if hits.isEmpty {
            throw LibraryError.notFound(name: name, directory: directory, available: all.map(\.name))
        }
        throw LibraryError.ambiguous(name: name, matches: hits.map(\.name))
    }

    /// `.part` files left by interrupted downloads.
    public func partials() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".part") }.sorted()
    }

    // MARK: Changing

    /// Adds or replaces the entry with `entry.name`.
    public func record(_ entry: LibraryEntry) throws {
        try withManifest { models in
            models.removeAll { $0.name == entry.name }
            models.append(entry)
            models.sort { $0.name < $1.name }
        }
    }

    /// Deletes the model's files, any `.part` of them, and its manifest entry. Returns the files removed.
    @discardableResult
    public func remove(_ model: LocalModel) throws -> [String] {
        var removed: [String] = []
        for path in model.paths {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw LibraryError.io(path: path, reason: String(cString: strerror(errno)))
            }
            removed.append(path)
            PartialDownload.discard(for: path)
        }
        try withManifest { models in models.removeAll { $0.name == model.name } }
        return removed
    }

    /// Copies a GGUF file (every part of a split one) into the library, hashing as it copies, and records it.
    /// The copy goes to a `.part` first and is renamed into place, so a failed import leaves nothing behind.
    public func importModel(from source: String) throws -> LocalModel {
        let sourceName = (source as NSString).lastPathComponent
        guard sourceName.lowercased().hasSuffix(".gguf") else {
            throw LibraryError.notGGUF(path: source, reason: "the name does not end in .gguf")
        }
        var sources = [source]
        if let split = QuantName.split(sourceName) {
            let folder = (source as NSString).deletingLastPathComponent
            let base = QuantName.splitBase(sourceName).dropLast(".gguf".count)
            sources = (1...split.count).map { part in
                (folder as NSString).appendingPathComponent(String(format: "%@-%05d-of-%05d.gguf", String(base), part, split.count))
            }
        }
        for path in sources {
            guard FileManager.default.fileExists(atPath: path) else {
                throw LibraryError.io(path: path, reason: "no such file (a part of the split model is missing)")
            }
            try Self.checkMagic(path)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let needed = sources.reduce(Int64(0)) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int64) ?? 0) }
        try DiskSpace.ensure(needed, in: directory)
        var files: [LibraryFile] = []
        var installed: [String] = []
        do {
            for path in sources {
                let name = (path as NSString).lastPathComponent
                let target = (directory as NSString).appendingPathComponent(name)
                if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == nil,
                   URL(fileURLWithPath: path).standardizedFileURL == URL(fileURLWithPath: target).standardizedFileURL {
                    throw LibraryError.io(path: path, reason: "is already in the models directory")
                }
                let (sha, size) = try Self.copyHashing(from: path, to: target)
                installed.append(target)
                files.append(LibraryFile(name: name, sha256: sha, size: size))
            }
        } catch {
            for path in installed { unlink(path) }
            throw error
        }
        let name = QuantName.splitBase(sourceName)
        let absolute = URL(fileURLWithPath: source).standardizedFileURL.path
        try record(LibraryEntry(name: name, source: "import", origin: absolute, quantization: QuantName.parse(name),
                                files: files))
        return try resolve(name)
    }

    static func checkMagic(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LibraryError.io(path: path, reason: "cannot be read")
        }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        guard magic == Data("GGUF".utf8) else {
            throw LibraryError.notGGUF(path: path, reason: "it does not start with the GGUF magic")
        }
    }

    private static func copyHashing(from source: String, to target: String) throws -> (String, Int64) {
        let part = target + ".part"
        let input = open(source, O_RDONLY)
        guard input >= 0 else { throw LibraryError.io(path: source, reason: String(cString: strerror(errno))) }
        defer { close(input) }
        let output = open(part, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard output >= 0 else { throw LibraryError.io(path: part, reason: String(cString: strerror(errno))) }
        var ok = false
        defer {
            close(output)
            if !ok { unlink(part) }
        }
        let hasher = SHA256Hasher()
        let chunk = 4 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let n = read(input, buffer.baseAddress, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw LibraryError.io(path: source, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            var offset = 0
            while offset < n {
                let w = write(output, buffer.baseAddress! + offset, n - offset)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw LibraryError.io(path: target, reason: String(cString: strerror(errno)))
                }
                offset += w
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            total += Int64(n)
        }
        guard fsync(output) == 0, rename(part, target) == 0 else {
            throw LibraryError.io(path: target, reason: String(cString: strerror(errno)))
        }
        ok = true
        return (hasher.finalizeHex(), total)
    }

    /// Runs `change` on the manifest's models under an exclusive lock and writes the result atomically.
    private func withManifest(_ change: (inout [LibraryEntry]) -> Void) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lockPath = (directory as NSString).appendingPathComponent(".manifest.lock")
        let lockFD = open(lockPath, O_RDWR | O_CREAT, 0o644)
        guard lockFD >= 0 else { throw LibraryError.io(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { close(lockFD) }
        flock(lockFD, LOCK_EX)
        defer { flock(lockFD, LOCK_UN) }
        var manifest = Manifest(version: 1, models: [])
        if let data = FileManager.default.contents(atPath: manifestPath) {
            do {
                manifest = try JSONDecoder().decode(Manifest.self, from: data)
            } catch {
                throw LibraryError.badManifest(path: manifestPath, reason: String(describing: error))
            }
        }
        change(&manifest.models)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try AtomicWrite.write(try encoder.encode(manifest), to: manifestPath)
        } catch let error as HubError {
            throw LibraryError.io(path: manifestPath, reason: error.errorDescription ?? "\(error)")
        }
    }

    struct Manifest: Codable {
        var version: Int
        var models: [LibraryEntry]
    }
}

public enum LibraryError: Error, LocalizedError, Equatable {
    case notFound(name: String, directory: String, available: [String])
    case ambiguous(name: String, matches: [String])
    case notGGUF(path: String, reason: String)
    case badManifest(path: String, reason: String)
    case io(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .notFound(name, directory, available):
            let has = available.isEmpty ? "it has no models" : "it has: \(available.joined(separator: ", "))"
            return "no model '\(name)' in '\(directory)' (\(has))"
        case let .ambiguous(name, matches): return "'\(name)' matches several models: \(matches.joined(separator: ", "))"
        case let .notGGUF(path, reason): return "'\(path)' is not a GGUF file: \(reason)"
        case let .badManifest(path, reason): return "'\(path)' is not a valid manifest: \(reason)"
        case let .io(path, reason): return "'\(path)': \(reason)"
        }
    }
}
