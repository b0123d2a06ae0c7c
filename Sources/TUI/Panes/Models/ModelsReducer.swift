// Models pane: local models (load, unload, rescan), the Hub browser (search, a repository's files, download)
// and the download queue (pause/resume, cancel, load a finished one). Pure: everything outward is an Effect.
import Bus
import Screen

func performModels(_ models: inout ModelsState, _ action: Action) -> [Effect] {
    switch action {
    case .focusNextSection:
        models.focus = models.focus.next
        return []
    case .searchHub:
        models.focus = .search
        return []
    case .closeSection:
        switch models.focus {
        case .local: break
        case .search, .downloads: models.focus = .local
        case .results: models.focus = .search
        case .files: models.focus = .results
        }
        return []
    default: break
    }
    switch models.focus {
    case .local: return performLocal(&models, action)
    case .search: return performSearch(&models, action)
    case .results: return performResults(&models, action)
    case .files: return performFiles(&models, action)
    case .downloads: return performDownloads(&models, action)
    }
}

private func performLocal(_ models: inout ModelsState, _ action: Action) -> [Effect] {
    if models.endpointField != nil { return performEndpoint(&models, action) }
    switch action {
    case .editEndpoint:
        // Start from the endpoint in use ("URL (model)" is shown; the field takes "URL MODEL").
        let current = models.remote.map { $0.replacingOccurrences(of: " (", with: " ").trimmingCharacters(in: [")"]) }
        models.endpointField = TextInputState(current ?? "")
    case .listUp: models.list.selected = max(0, models.list.selected - 1)
    case .listDown: models.list.selected = min(max(0, models.available.count - 1), models.list.selected + 1)
    case .loadModel:
        guard models.available.indices.contains(models.list.selected) else { return [] }
        return load(&models, path: models.available[models.list.selected].path)
    case .unloadModel:
        guard models.loaded != nil else { return [] }
        return [.model(.unload)]
    case .rescanModels: return [.model(.scan)]
    default: break
    }
    return []
}

/// The remote-endpoint field: "URL [MODEL]" switches chats to that server once it answers; empty returns to
/// the local engine. The API key is --api-key or $LATHE_API_KEY from the launch.
private func performEndpoint(_ models: inout ModelsState, _ action: Action) -> [Effect] {
    guard var field = models.endpointField else { return [] }
    switch action {
    case .commitField:
        models.endpointField = nil
        let words = field.text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let url = words.first else {
            models.connecting = "local engine"
            return [.chat(.useBackend(.local))]
        }
        guard words.count <= 2 else {
            models.lastError = "remote endpoint: expected 'URL [MODEL]', got \(words.count) words"
            return []
        }
        models.connecting = url
        models.lastError = nil
        return [.chat(.useBackend(.remote(url: url, model: words.count == 2 ? words[1] : nil)))]
    case .cancelField:
        models.endpointField = nil
        return []
    default:
        guard field.apply(action) else { return [] }
    }
    models.endpointField = field
    return []
}

/// The chat service's answer to a backend switch.
func reduceBackendEvent(_ models: inout ModelsState, _ event: ChatEvent) {
    switch event {
    case .backendChanged(let remote):
        models.remote = remote
        models.connecting = nil
    case .backendFailed(let message):
        models.connecting = nil
        models.lastError = message
    case .conversations, .saveFailed:
        break
    }
}

private func load(_ models: inout ModelsState, path: String) -> [Effect] {
    guard models.loading == nil else { return [] }
    models.loading = (path, 0)
    models.lastError = nil
    return [.model(.load(path: path))]
}

private func performSearch(_ models: inout ModelsState, _ action: Action) -> [Effect] {
    switch action {
    case .send, .runSearch:
        let query = models.hub.query.text.trimmingCharacters(in: .whitespaces)
        guard !query.isEmpty else { return [] }
        models.hub.searching = query
        models.hub.error = nil
        return [.download(.search(query: query, limit: 30))]
    default: models.hub.query.apply(action)
    }
    return []
}

private func performResults(_ models: inout ModelsState, _ action: Action) -> [Effect] {
    let hub = models.hub
    switch action {
    case .listUp: models.hub.resultList.selected = max(0, hub.resultList.selected - 1)
    case .listDown: models.hub.resultList.selected = min(max(0, hub.results.count - 1), hub.resultList.selected + 1)
    case .openRepo:
        guard hub.results.indices.contains(hub.resultList.selected) else { return [] }
        let repo = hub.results[hub.resultList.selected].id
        models.hub.repo = repo
        models.hub.listing = true
        models.hub.files = []
        models.hub.fileList = ListState()
        models.hub.error = nil
        return [.download(.listFiles(repo: repo))]
    default: break
    }
    return []
}

private func performFiles(_ models: inout ModelsState, _ action: Action) -> [Effect] {
    let hub = models.hub
    switch action {
    case .listUp: models.hub.fileList.selected = max(0, hub.fileList.selected - 1)
    case .listDown: models.hub.fileList.selected = min(max(0, hub.files.count - 1), hub.fileList.selected + 1)
    case .downloadFile:
        guard let repo = hub.repo, hub.files.indices.contains(hub.fileList.selected) else { return [] }
        let option = hub.files[hub.fileList.selected]
        models.focus = .downloads
        return [.download(.fetch(repo: repo, revision: "main", option: option))]
    default: break
    }
    return []
}

private func performDownloads(_ models: inout ModelsState, _ action: Action) -> [Effect] {
    let list = models.downloads
    let selected = models.downloadList.selected
    switch action {
    case .listUp: models.downloadList.selected = max(0, selected - 1)
    case .listDown: models.downloadList.selected = min(max(0, list.count - 1), selected + 1)
    case .pauseDownload:
        guard list.indices.contains(selected) else { return [] }
        let status = list[selected]
        switch status.state {
        case .running, .queued, .verifying: return [.download(.pause(id: status.id))]
        case .paused, .failed, .cancelled: return [.download(.resume(id: status.id))]
        case .finished: return []
        }
    case .cancelDownload:
        guard list.indices.contains(selected), !isFinished(list[selected].state) else { return [] }
        return [.download(.cancel(id: list[selected].id))]
    case .loadModel:
        guard list.indices.contains(selected), case .finished(let path) = list[selected].state else { return [] }
        return load(&models, path: path)
    default: break
    }
    return []
}

private func isFinished(_ state: DownloadState) -> Bool {
    if case .finished = state { return true } else { return false }
}

func reduceModelEvent(_ models: inout ModelsState, _ event: ModelEvent) {
    switch event {
    case .available(let facts):
        models.available = facts
        models.list.selected = min(models.list.selected, max(0, facts.count - 1))
    case .progress(let path, let fraction):
        models.loading = (path, fraction)
    case .loaded(let facts):
        models.loaded = facts
        models.loading = nil
        if let i = models.available.firstIndex(where: { $0.path == facts.path }) { models.list.selected = i }
    case .unloaded:
        models.loaded = nil
    case .failed(let path, let message):
        models.loading = nil
        models.lastError = "\(path): \(message)"
    }
}

/// Hub answers and download progress; a download that just finished asks for a rescan of the models directory.
func reduceDownloadEvent(_ models: inout ModelsState, _ event: DownloadEvent) -> [Effect] {
    switch event {
    case let .searchResults(query, results):
        guard models.hub.searching == query || models.hub.searching == nil else { return [] }
        models.hub.searching = nil
        models.hub.results = results
        models.hub.resultList = ListState()
        if models.focus == .search, !results.isEmpty { models.focus = .results }
        if results.isEmpty { models.hub.error = "no GGUF models match '\(query)'" }
    case let .files(repo, options):
        guard models.hub.repo == repo else { return [] }
        models.hub.listing = false
        models.hub.files = options
        models.hub.fileList = ListState()
        if models.focus == .results { models.focus = .files }
    case .hubError(let message):
        models.hub.searching = nil
        models.hub.listing = false
        models.hub.error = message
    case .status(let status):
        let before = models.downloads.first { $0.id == status.id }
        if let i = models.downloads.firstIndex(where: { $0.id == status.id }) {
            models.downloads[i] = status
        } else {
            models.downloads.append(status)
            models.downloadList.selected = models.downloads.count - 1
        }
        if case .finished = status.state, before.map({ !isFinished($0.state) }) ?? true {
            if let i = models.hub.files.firstIndex(where: { $0.name == status.name && models.hub.repo == status.repo }) {
                models.hub.files[i].installed = true
            }
            return [.model(.scan)]
        }
    }
    return []
}
