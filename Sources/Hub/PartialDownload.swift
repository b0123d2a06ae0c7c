// The sidecar beside a `.part` file: where its bytes came from and what the finished file must be, so a later
// run (or another process) resumes only bytes of the same file and never splices two versions together.
import Foundation

public struct PartialDownload: Sendable, Codable, Equatable {
    public var repo: String
    public var revision: String
    public var file: String
    public var url: String
    public var etag: String?
    public var sha256: String?
    public var size: Int64?
    public var commit: String?

    public static func partPath(for destination: String) -> String { destination + ".part" }
    public static func sidecarPath(for destination: String) -> String { destination + ".part.json" }

    static func load(for destination: String) -> PartialDownload? {
        guard let data = FileManager.default.contents(atPath: sidecarPath(for: destination)) else { return nil }
        return try? JSONDecoder().decode(PartialDownload.self, from: data)
    }

    func save(for destination: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try AtomicWrite.write(try encoder.encode(self), to: Self.sidecarPath(for: destination))
    }

    /// True when the bytes in a `.part` described by `self` belong to the file `other` describes.
    func sameContent(as other: PartialDownload) -> Bool {
        guard repo == other.repo, file == other.file else { return false }
        if let a = sha256, let b = other.sha256 { return a == b }
        if let a = etag, let b = other.etag { return a == b && size == other.size }
        return false
    }

    /// Removes the `.part` and its sidecar.
    public static func discard(for destination: String) {
        unlink(partPath(for: destination))
        unlink(sidecarPath(for: destination))
    }
}
