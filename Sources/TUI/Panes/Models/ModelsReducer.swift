// Models pane: choose a local model, ask the engine service to load or unload it, follow its events.
import Bus

func performModels(_ models: inout ModelsState, _ action: Action) -> [Effect] {
    switch action {
    case .listUp: models.list.selected = max(0, models.list.selected - 1)
    case .listDown: models.list.selected = min(max(0, models.available.count - 1), models.list.selected + 1)
    case .loadModel:
        guard models.available.indices.contains(models.list.selected), models.loading == nil else { return [] }
        let path = models.available[models.list.selected].path
        models.loading = (path, 0)
        models.lastError = nil
        return [.model(.load(path: path))]
    case .unloadModel:
        guard models.loaded != nil else { return [] }
        return [.model(.unload)]
    case .rescanModels: return [.model(.scan)]
    default: break
    }
    return []
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
