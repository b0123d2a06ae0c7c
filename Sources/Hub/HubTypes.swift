// The JSON the Hub serves, decoded as huggingface.co sends it (huggingface_hub's hf_api.py reads the same
// fields): search results (/api/models), model info with `siblings`, and tree entries with `lfs.oid` = sha256.
import Foundation

/// One search result from `GET /api/models?search=…`.
public struct HubModelListing: Sendable, Codable, Equatable {
    public var id: String
    public var downloads: Int?
    public var likes: Int?
    public var lastModified: String?
    public var createdAt: String?
    public var tags: [String]?
    public var pipelineTag: String?
    public var gated: HubGated?

    enum CodingKeys: String, CodingKey {
        case id, downloads, likes, lastModified, createdAt, tags, gated
        case pipelineTag = "pipeline_tag"
    }

    public init(id: String, downloads: Int? = nil, likes: Int? = nil, lastModified: String? = nil,
                createdAt: String? = nil, tags: [String]? = nil, pipelineTag: String? = nil, gated: HubGated? = nil) {
        self.id = id
        self.downloads = downloads
        self.likes = likes
        self.lastModified = lastModified
        self.createdAt = createdAt
        self.tags = tags
        self.pipelineTag = pipelineTag
        self.gated = gated
    }
}

/// `gated` is `false`, or the kind of gate as a string ("auto", "manual").
public enum HubGated: Sendable, Codable, Equatable {
    case open
    case gated(String)

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) { self = flag ? .gated("true") : .open; return }
        self = .gated(try container.decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .open: try container.encode(false)
        case .gated(let kind): try container.encode(kind)
        }
    }

    public var isGated: Bool { if case .gated = self { return true } else { return false } }
}

/// `GET /api/models/{repo}[/revision/{rev}]`.
public struct HubModelInfo: Sendable, Codable, Equatable {
    public struct Sibling: Sendable, Codable, Equatable {
        public var rfilename: String
        public var size: Int64?
    }
    public var id: String
    /// The commit the info describes.
    public var sha: String?
    public var gated: HubGated?
    public var isPrivate: Bool?
    public var siblings: [Sibling]?
    public var downloads: Int?
    public var likes: Int?
    public var lastModified: String?

    enum CodingKeys: String, CodingKey {
        case id, sha, gated, siblings, downloads, likes, lastModified
        case isPrivate = "private"
    }
}

/// One entry of `GET /api/models/{repo}/tree/{revision}`.
public struct HubTreeEntry: Sendable, Codable, Equatable {
    public struct LFS: Sendable, Codable, Equatable {
        /// The sha256 of the file's content.
        public var oid: String
        public var size: Int64
        public var pointerSize: Int?
    }
    /// "file" or "directory".
    public var type: String
    /// Git blob id (sha1) for files.
    public var oid: String?
    public var size: Int64
    public var path: String
    public var lfs: LFS?

    public init(type: String = "file", oid: String? = nil, size: Int64, path: String, lfs: LFS? = nil) {
        self.type = type
        self.oid = oid
        self.size = size
        self.path = path
        self.lfs = lfs
    }

    /// The sha256 to verify against: only LFS files carry one (small git files have a sha1 oid instead).
    public var sha256: String? { lfs?.oid }
}

extension HubTreeEntry.LFS {
    public init(oid: String, size: Int64) {
        self.oid = oid
        self.size = size
        self.pointerSize = nil
    }
}
