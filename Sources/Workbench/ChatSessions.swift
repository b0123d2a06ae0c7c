// Conversations on disk: one `<id>.json` per conversation, `{"version": 1, "conversation": {...}}`,
// written atomically. Loading skips (and reports) files it cannot read instead of failing everything.
import Bus
import Foundation

public struct ChatSessions: Sendable {
    public static let version = 1
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    private struct File: Codable {
        var version: Int
        var conversation: Conversation
    }

    public func url(for id: UUID) -> URL { directory.appendingPathComponent("\(id.uuidString.lowercased()).json") }

    public func save(_ conversation: Conversation) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data: Data
        do { data = try encoder.encode(File(version: Self.version, conversation: conversation)) } catch {
            throw WorkbenchError.write(path: url(for: conversation.id).path, reason: "\(error)")
        }
        try AtomicFile.write(data, to: url(for: conversation.id))
    }

    public func delete(_ id: UUID) throws {
        let path = url(for: id).path
        guard FileManager.default.fileExists(atPath: path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw WorkbenchError.write(path: path, reason: error.localizedDescription)
        }
    }

    public func load(_ url: URL) throws -> Conversation {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw WorkbenchError.read(path: url.path, reason: error.localizedDescription)
        }
        struct Version: Decodable { var version: Int }
        guard let version = try? decoder.decode(Version.self, from: data) else {
            throw WorkbenchError.read(path: url.path, reason: "not a conversation file (no version field)")
        }
        guard version.version <= Self.version else {
            throw WorkbenchError.unsupportedVersion(path: url.path, version: version.version, supported: Self.version)
        }
        do { return try decoder.decode(File.self, from: data).conversation } catch {
            throw WorkbenchError.read(path: url.path, reason: "malformed conversation: \(error)")
        }
    }

    /// Every saved conversation, newest first, and one message per file that could not be read.
    public func loadAll() -> (conversations: [Conversation], errors: [String]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var conversations: [Conversation] = []
        var errors: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            do { conversations.append(try load(directory.appendingPathComponent(name))) } catch {
                errors.append((error as? LocalizedError)?.errorDescription ?? "\(error)")
            }
        }
        return (conversations.sorted { $0.updated > $1.updated }, errors)
    }
}
