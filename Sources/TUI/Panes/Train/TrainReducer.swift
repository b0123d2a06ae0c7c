// The Train pane's reducer: form editing, run control (start, pause/continue, stop, resume) as TrainCommands,
// and TrainEvents folded into the live run and the list of runs. Pure: effects go out as values.
import Bus
import Screen

func performTrain(_ state: inout AppState, _ action: Action) -> [Effect] {
    var train = state.train
    defer { state.train = train }
    if train.editing != nil { return editTrainField(&train, action) }
    switch action {
    case .listUp where train.focus == .form:
        train.field = TrainField(rawValue: max(0, train.field.rawValue - 1))!
    case .listDown where train.focus == .form:
        train.field = TrainField(rawValue: min(TrainField.allCases.count - 1, train.field.rawValue + 1))!
    case .listUp: train.runList.selected = max(0, train.runList.selected - 1)
    case .listDown: train.runList.selected = min(max(0, train.runs.count - 1), train.runList.selected + 1)
    case .increase, .decrease:
        if train.focus == .form { train.form.adjust(train.field, action == .increase ? 1 : -1) }
    case .editTrainField:
        if train.focus == .form, train.field.isText {
            train.editing = TextInputState(train.form.text(train.field))
        } else if train.focus == .form {
            train.form.adjust(train.field, 1)
        }
    case .toggleTrainFocus:
        train.focus = train.focus == .form ? .runs : .form
        return train.focus == .runs ? [.train(.listRuns)] : []
    case .startTraining:
        if let live = train.live, live.status.isActive {
            train.lastError = "a run is already in progress: stop it first (x)"
            return []
        }
        let request = train.form.request(loadedModel: state.models.loaded?.path)
        if request.model.isEmpty { train.lastError = "no model: load one in the Models pane or type its path"; return [] }
        if request.dataFiles.isEmpty { train.lastError = "no data: type a dataset path in the Data field"; return [] }
        train.lastError = nil
        train.live = LiveRun(directory: "")
        return [.train(.fineTune(request))]
    case .pauseTraining:
        guard var live = train.live else { return [] }
        switch live.status {
        case .running, .starting:
            live.status = .pausing
            train.live = live
            return [.train(.pause)]
        case .paused, .pausing:
            live.status = .running
            train.live = live
            return [.train(.unpause)]
        default: return []
        }
    case .stopTraining:
        guard var live = train.live, live.status.isActive else { return [] }
        live.status = .stopping
        train.live = live
        return [.train(.stop)]
    case .resumeTraining:
        if let live = train.live, live.status.isActive {
            train.lastError = "a run is already in progress"
            return []
        }
        let directory = train.focus == .runs ? train.selectedRun?.path : (train.live?.directory ?? train.selectedRun?.path)
        guard let directory, !directory.isEmpty else { train.lastError = "no run to resume"; return [] }
        train.lastError = nil
        var live = train.live?.directory == directory ? train.live! : LiveRun(directory: directory)
        live.status = .starting
        train.live = live
        return [.train(.resume(runDirectory: directory))]
    case .refreshRuns: return [.train(.listRuns)]
    default: break
    }
    return []
}

private func editTrainField(_ train: inout TrainState, _ action: Action) -> [Effect] {
    guard var input = train.editing else { return [] }
    switch action {
    case .commitField:
        train.form.setText(train.field, input.text.trimmingCharacters(in: .whitespaces))
        train.editing = nil
        return []
    case .cancelField:
        train.editing = nil
        return []
    default: input.apply(action)
    }
    train.editing = input
    return []
}

/// Folds a trainer event into the pane.
func reduceTrainEvent(_ train: inout TrainState, _ event: TrainEvent) -> [Effect] {
    if case .runs(let runs) = event {
        train.runs = runs
        train.runList.selected = min(train.runList.selected, max(0, runs.count - 1))
        return []
    }
    var live = train.live ?? LiveRun(directory: "")
    var effects: [Effect] = []
    switch event {
    case .started(let directory, let startStep, let totalSteps):
        if live.directory != directory { live = LiveRun(directory: directory) }
        live.steps.removeAll { $0.step > startStep }
        live.evals.removeAll { $0.step > startStep }
        live.totalSteps = totalSteps
        live.status = .running
    case .step(let metrics):
        live.steps.append(metrics)
        if live.steps.count > TrainState.historyLimit { live.steps.removeFirst(live.steps.count - TrainState.historyLimit) }
        live.totalSteps = metrics.totalSteps
        if live.status == .starting || live.status == .paused { live.status = .running }
    case .evaluated(let step, let loss): live.evals.append(TrainPoint(step: step, loss: loss))
    case .sample(let step, let text): live.sample = (step, text)
    case .checkpointSaved(let step, let path):
        live.checkpoint = path
        live.checkpointStep = step
    case .paused: live.status = .paused
    case .stopped(let step, let checkpoint):
        live.status = .stopped
        live.checkpoint = checkpoint
        live.checkpointStep = step
        effects = [.train(.listRuns)]
    case .finished(let path):
        live.status = .finished(path)
        effects = [.train(.listRuns)]
    case .failed(let message):
        live.status = .failed(message)
        train.lastError = message
        effects = [.train(.listRuns)]
    case .runs: break
    }
    train.live = live
    return effects
}

import Foundation
