// Models pane state beyond the local list: which section has focus, the Hub search and the chosen repository's
// files, and the download queue as the download service last described it.
import Bus
import Screen

/// The Models pane's sections, in Tab order.
public enum ModelsFocus: Int, Sendable, Equatable, CaseIterable {
    case local, search, results, files, downloads

    var next: ModelsFocus { ModelsFocus(rawValue: (rawValue + 1) % ModelsFocus.allCases.count) ?? .local }
}

public struct HubBrowser: Sendable, Equatable {
    public var query = TextInputState()
    /// The query of a search in flight.
    public var searching: String?
    public var results: [HubRepoSummary] = []
    public var resultList = ListState()
    /// The repository whose files are shown (or being listed).
    public var repo: String?
    public var listing = false
    public var files: [HubFileOption] = []
    public var fileList = ListState()
    public var error: String?
    public init() {}
}
