// A repository's GGUF files as the choices a person makes: one choice per model file, the parts of a split
// model together, each with its quantization and total size; and picking one from a `:QUANT` or `:FILE`.
import Foundation

public struct GGUFChoice: Sendable, Equatable {
    /// The model's name in the library: the file name, or the shared name of a split model's parts.
    public var name: String
    public var quantization: String?
    /// The repository files, parts in order.
    public var files: [HubTreeEntry]

    public init(name: String, quantization: String?, files: [HubTreeEntry]) {
        self.name = name
        self.quantization = quantization
        self.files = files
    }

    public var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }
    public var isSplit: Bool { files.count > 1 || QuantName.split(files.first?.path ?? "") != nil }
    /// Vision projectors (`mmproj-*.gguf`) go with a model; they are not one to pull on their own.
    public var isProjector: Bool { name.lowercased().hasPrefix("mmproj") }
    /// True when every part of a split model is present in the listing.
    public var isComplete: Bool {
        guard let first = files.first, let split = QuantName.split(first.path) else { return true }
        return files.count == split.count
    }

    /// Groups the `.gguf` files of a tree listing, smallest first.
    public static func group(_ entries: [HubTreeEntry]) -> [GGUFChoice] {
        var groups: [String: [HubTreeEntry]] = [:]
        for entry in entries where entry.path.lowercased().hasSuffix(".gguf") {
            groups[QuantName.splitBase(entry.path), default: []].append(entry)
        }
        return groups.map { base, files in
            let sorted = files.sorted { (QuantName.split($0.path)?.part ?? 0) < (QuantName.split($1.path)?.part ?? 0) }
            return GGUFChoice(name: (base as NSString).lastPathComponent, quantization: QuantName.parse(base),
                              files: sorted)
        }.sorted { ($0.totalSize, $0.name) < ($1.totalSize, $1.name) }
    }

    /// Quantizations tried, in order, when `lathe pull REPO` names none (Q4_K_M first, as most runners do).
    public static let preferredQuantizations = ["Q4_K_M", "Q4_K_S", "Q4_0", "Q4_1", "IQ4_XS", "IQ4_NL", "Q5_K_M",
                                                "Q5_K_S", "Q5_0", "Q5_1", "Q6_K", "Q8_0", "Q3_K_L", "Q3_K_M", "F16", "BF16"]

    /// Picks the choice `wanted` names: a file path or name (ending in .gguf, or containing '/'), else a
    /// quantization (case-insensitive); nil picks the preferred quantization.
    public static func pick(_ choices: [GGUFChoice], wanted: String?, repo: String) throws -> GGUFChoice {
        let models = choices.filter { !$0.isProjector }
        guard !models.isEmpty else { throw HubError.noGGUF(repo: repo) }
        let available = models.map { $0.quantization ?? $0.name }
        guard let wanted, !wanted.isEmpty else {
            if models.count == 1 { return models[0] }
            for quant in preferredQuantizations {
                if let hit = models.first(where: { $0.quantization == quant }) { return hit }
            }
            throw HubError.ambiguous(repo: repo, wanted: "(no quantization given)", matches: available)
        }
        let lower = wanted.lowercased()
        if lower.hasSuffix(".gguf") || wanted.contains("/") {
            let hits = models.filter { choice in
                choice.name.lowercased() == (lower as NSString).lastPathComponent
                    || choice.files.contains { $0.path.lowercased() == lower || ($0.path as NSString).lastPathComponent.lowercased() == lower }
            }
            if hits.count == 1 { return hits[0] }
            throw hits.isEmpty ? HubError.noMatch(repo: repo, wanted: wanted, available: models.map(\.name))
                : HubError.ambiguous(repo: repo, wanted: wanted, matches: hits.map(\.name))
        }
        let exact = models.filter { $0.quantization?.lowercased() == lower }
        if exact.count == 1 { return exact[0] }
        if exact.count > 1 { throw HubError.ambiguous(repo: repo, wanted: wanted, matches: exact.map(\.name)) }
        let partial = models.filter { $0.name.lowercased().contains(lower) }
        if partial.count == 1 { return partial[0] }
        throw partial.isEmpty ? HubError.noMatch(repo: repo, wanted: wanted, available: available)
            : HubError.ambiguous(repo: repo, wanted: wanted, matches: partial.map(\.name))
    }
}

/// `REPO[:FILE or :QUANT]`, also written `hf.co/REPO:QUANT` or as a Hub URL.
public struct PullSpec: Sendable, Equatable {
    public var repo: String
    public var selector: String?

    public init(repo: String, selector: String? = nil) {
        self.repo = repo
        self.selector = selector
    }

    public init(parsing text: String) throws {
        var rest = text.trimmingCharacters(in: .whitespaces)
        for prefix in ["https://huggingface.co/", "http://huggingface.co/", "huggingface.co/", "hf.co/"]
        where rest.lowercased().hasPrefix(prefix) {
            rest = String(rest.dropFirst(prefix.count))
        }
        var selector: String?
        if let colon = rest.firstIndex(of: ":") {
            selector = String(rest[rest.index(after: colon)...])
            rest = String(rest[..<colon])
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        let valid = parts.count == 2 && parts.allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
        guard valid else {
            throw HubError.badSpec("'\(text)' is not a Hub repository: expected OWNER/NAME[:QUANT or :FILE], "
                                   + "e.g. bartowski/SmolLM2-135M-Instruct-GGUF:Q4_K_M")
        }
        self.repo = rest
        self.selector = (selector?.isEmpty ?? true) ? nil : selector
    }
}
