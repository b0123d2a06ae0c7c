// The pure reducer: (state, msg) -> effects. Keys go through the keymap of the current scope; events from
// the bus update pane state. No I/O here: everything outward is an Effect.
import Bus
import Screen

/// Applies `msg` to `state` and returns what the runner should do.
///
/// ```swift
/// var state = AppState(size: Size(width: 80, height: 24))
/// let effects = reduce(&state, .key(.enter))     // e.g. [.chat(.send(request))]
/// ```
public func reduce(_ state: inout AppState, _ msg: Msg) -> [Effect] {
    switch msg {
    case .key(let key): return handleKey(&state, key)
    case .paste(let text): return handlePaste(&state, text)
    case .mouse(let mouse): return handleMouse(&state, mouse)
    case .terminate: return perform(&state, .quit)          // a streaming reply is stopped and saved first
    case .resize(let size):
        state.size = size
        return []
    case .tick(let date):
        state.now = date
        return []
    case .generation(let event): return reduceGeneration(&state, event)
    case .chat(let event):
        reduceChatEvent(&state.chat, event)
        reduceBackendEvent(&state.models, event)
        return []
    case .model(let event):
        reduceModelEvent(&state.models, event)
        return []
    case .metrics(let sample):
        state.metrics.samples.append(sample)
        if state.metrics.samples.count > MetricsState.historyLength { state.metrics.samples.removeFirst() }
        return []
    case .train(let event):
        state.background.lastTrain = event
        if case .step(let metrics) = event { state.background.trainLosses.append(metrics.loss) }
        return reduceTrainEvent(&state.train, event)
    case .download(let event):
        return reduceDownloadEvent(&state.models, event)
    case .quantize(let event):
        reduceQuantizeEvent(&state.quantize, event)
        // A new file is in the models directory: list it.
        if case .finished = event { return [.model(.scan)] }
        return []
    case .server(let event):
        reduceServerEvent(&state.metrics.server, event)
        return []
    }
}

func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    state.notice = nil
    let scope = state.scope
    if scope != .overlay || isGlobalOnlyKey(key), let action = Keymap.action(for: key, in: .global) {
        return perform(&state, action)
    }
    if paletteEdit(&state, key) { return [] }
    if let action = Keymap.action(for: key, in: scope) { return perform(&state, action) }
    if !state.isEditingText, key == .char("?") { return perform(&state, .help) }
    if case .char(let c) = key { typeCharacter(&state, c) }
    return []
}

/// Keys that still act globally while an overlay is open (so F1 closes help and Ctrl-Q always quits).
private func isGlobalOnlyKey(_ key: Key) -> Bool {
    [.ctrl("q"), .ctrl("c"), .function(1), .ctrl("p")].contains(key)
}

func handlePaste(_ state: inout AppState, _ text: String) -> [Effect] {
    guard state.isEditingText else { return [] }
    editFocusedText(&state) { $0.insert(text) }
    return []
}

func typeCharacter(_ state: inout AppState, _ c: Character) {
    guard state.isEditingText else { return }
    editFocusedText(&state) { $0.insert(String(c)) }
}

/// Applies an edit to whichever text field has focus (message input, rename/system field, palette filter).
func editFocusedText(_ state: inout AppState, _ edit: (inout TextInputState) -> Void) {
    if case .palette(var palette) = state.overlay {
        edit(&palette.filter)
        palette.selected = 0
        state.overlay = .palette(palette)
        return
    }
    if state.pane == .train, var input = state.train.editing {
        edit(&input)
        state.train.editing = input
        return
    }
    if state.pane == .models {
        if state.models.focus == .search { edit(&state.models.hub.query) }
        if var field = state.models.endpointField {
            edit(&field)
            state.models.endpointField = field
        }
        return
    }
    switch state.chat.focus {
    case .input:
        edit(&state.chat.input)
        state.chat.historyIndex = nil
    case .rename, .systemPrompt: edit(&state.chat.field)
    case .list, .parameters: break
    }
}

func handleMouse(_ state: inout AppState, _ mouse: MouseEvent) -> [Effect] {
    switch mouse.kind {
    case .scrollUp:
        if state.pane == .chat { state.chat.scroll = min(state.chat.scroll + 3, Layout.maxScroll(state)) }
    case .scrollDown:
        if state.pane == .chat { state.chat.scroll = max(0, state.chat.scroll - 3) }
    case .press:
        if mouse.y == 0, let tab = Layout.tabs(state).hitTest(x: mouse.x), let pane = Pane(rawValue: tab) {
            state.overlay = nil
            state.pane = pane
        } else if state.pane == .chat, let row = Layout.conversationRow(state, at: mouse) {
            state.chat.list.selected = row
            openConversation(&state.chat, row)
        }
    }
    return []
}

/// Carries out one action; shared by keys and the command palette.
func perform(_ state: inout AppState, _ action: Action) -> [Effect] {
    if state.overlay != nil, [.closeOverlay, .listUp, .listDown, .runSelected].contains(action) {
        return performOverlay(&state, action)
    }
    if state.pane == .train, state.overlay == nil, trainActions.contains(action) { return performTrain(&state, action) }
    switch action {
    case .quit:
        state.quitRequested = true
        return stopGeneration(&state) + [.quit]      // a streaming reply is stopped and saved first
    case .interrupt:
        if state.chat.isGenerating { return stopGeneration(&state) }
        state.quitRequested = true
        return [.quit]
    case .help:
        if case .help = state.overlay { state.overlay = nil } else { state.overlay = .help(scroll: 0) }
        return []
    case .palette:
        if case .palette = state.overlay { state.overlay = nil } else { state.overlay = .palette(PaletteState()) }
        return []
    case .suspend: return [.suspend]
    case .cycleTheme:
        let i = state.themeNames.firstIndex(of: state.themeName) ?? -1
        if !state.themeNames.isEmpty { state.themeName = state.themeNames[(i + 1) % state.themeNames.count] }
        return []
    case .showPane(let pane):
        state.overlay = nil
        state.pane = pane
        if pane == .train { return [.train(.listRuns)] }
        return pane == .quantize && state.quantize.estimate == nil ? estimateEffect(state.quantize, state.models.available) : []
    case .stop:
        return stopGeneration(&state)
    case .toggleServer:
        return toggleServer(&state)
    case _ where state.pane == .models:
        return performModels(&state.models, action)
    case .loadModel, .unloadModel, .rescanModels:
        return performModels(&state.models, action)
    case .listUp where state.pane == .quantize, .listDown where state.pane == .quantize,
         .previousQuantType, .nextQuantType, .startQuantize, .cancelQuantize, .evaluateQuantize:
        return performQuantize(&state, action)
    default:
        return performChat(&state, action)
    }
}

/// Actions the Train pane handles itself while it is shown.
private let trainActions: [Action] = [
    .listUp, .listDown, .increase, .decrease, .editTrainField, .toggleTrainFocus, .startTraining, .pauseTraining,
    .stopTraining, .resumeTraining, .refreshRuns, .commitField, .cancelField,
] + Keymap.lineEditing.map(\.action)
