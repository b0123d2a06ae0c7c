// Quantize pane: choose a source model and a target type (each change asks the service for a size estimate),
// start, cancel, evaluate the result; follow the service's events.
import Bus

func performQuantize(_ state: inout AppState, _ action: Action) -> [Effect] {
    let models = state.models.available
    var q = state.quantize
    defer { state.quantize = q }
    switch action {
    case .listUp, .listDown:
        let old = q.list.selected
        q.list.selected = action == .listUp ? max(0, old - 1) : min(max(0, models.count - 1), old + 1)
        return q.list.selected == old ? [] : estimateEffect(q, models)
    case .previousQuantType, .nextQuantType:
        let count = QuantizeState.types.count
        q.typeIndex = (q.typeIndex + (action == .nextQuantType ? 1 : count - 1)) % count
        q.estimate = nil
        return estimateEffect(q, models)
    case .startQuantize:
        guard !q.isRunning, q.evaluating == nil, models.indices.contains(q.list.selected) else { return [] }
        let input = models[q.list.selected].path
        let request = QuantizeRequest(input: input, output: QuantizeState.outputPath(input: input, type: q.type),
                                      type: q.type, allowRequantize: true)
        q.request = request
        q.status = .running
        q.rows = []
        q.fraction = 0
        q.elapsedSeconds = 0
        q.etaSeconds = nil
        q.tensorCount = 0
        q.evaluation = nil
        q.cancelRequested = false
        q.lastError = nil
        return [.quantize(.start(request))]
    case .cancelQuantize:
        guard q.isRunning, !q.cancelRequested else { return [] }
        q.cancelRequested = true
        return [.quantize(.cancel)]
    case .evaluateQuantize:
        guard case .finished(let output, _, _) = q.status, let request = q.request, q.evaluating == nil else { return [] }
        q.evaluating = (0, 0)
        q.evaluation = nil
        return [.quantize(.evaluate(base: request.input, quantized: output))]
    default:
        return []
    }
}

/// Asks for the estimate of the current choice.
func estimateEffect(_ q: QuantizeState, _ models: [ModelFacts]) -> [Effect] {
    guard models.indices.contains(q.list.selected) else { return [] }
    return [.quantize(.estimate(input: models[q.list.selected].path, type: q.type))]
}

func reduceQuantizeEvent(_ q: inout QuantizeState, _ event: QuantizeEvent) {
    switch event {
    case .estimate(let estimate):
        q.estimate = estimate
        q.lastError = nil
    case let .started(request, tensors):
        q.request = request
        q.status = .running
        q.tensorCount = tensors
    case .tensor(let row):
        q.rows.append(row)
    case let .progress(fraction, elapsed, eta):
        q.fraction = fraction
        q.elapsedSeconds = elapsed
        q.etaSeconds = eta
    case let .finished(output, bytes, seconds):
        q.status = .finished(output: output, bytes: bytes, seconds: seconds)
        q.fraction = 1
        q.etaSeconds = nil
    case .cancelled:
        q.status = .cancelled
    case .failed(let message):
        // A failed run ends it; a failed estimate or evaluation leaves the run's outcome on screen.
        if q.isRunning {
            q.status = .failed(message)
        } else {
            q.evaluating = nil
            q.lastError = message
        }
    case let .evaluating(done, total):
        q.evaluating = (done, total)
    case .evaluated(let evaluation):
        q.evaluating = nil
        q.evaluation = evaluation
    }
}
