// The whole screen: tab bar, the focused pane, status bar, and any overlay. Pure: draws cells only;
// the theme colours roles later, in the backend.
import Bus
import Screen

/// Draws `state` into `buffer` (sized to `state.size`) and returns where the cursor goes (nil hides it).
///
/// ```swift
/// var screen = ScreenBuffer(size: state.size)
/// let cursor = render(state, into: &screen)
/// renderer.render(screen, cursor: cursor, to: backend)
/// ```
@discardableResult
public func render(_ state: AppState, into buffer: inout ScreenBuffer) -> Point? {
    let size = state.size
    if Layout.tooSmall(size) {
        for y in 0..<size.height {
            Text.render(y == size.height / 2 ? "Terminal too small" : "", style: Style(.warning), alignment: 1,
                        in: Rect(x: 0, y: y, width: size.width, height: 1), into: &buffer)
        }
        return nil
    }
    Layout.tabs(state).render(in: Rect(x: 0, y: 0, width: size.width, height: 1), into: &buffer)
    let title = " Lathe "
    if size.width >= 60 {
        Text.render(title, style: Style(.accent, .bold), alignment: 2,
                    in: Rect(x: 0, y: 0, width: size.width, height: 1), into: &buffer)
    }
    let body = Layout.body(size)
    var cursor: Point?
    switch state.pane {
    case .chat: cursor = ChatView.render(state, into: &buffer)
    case .models: cursor = ModelsView.render(state, in: body, into: &buffer)
    case .train: cursor = TrainView.render(state, in: body, into: &buffer)
    case .quantize: QuantizeView.render(state, in: body, into: &buffer)
    case .metrics: MetricsView.render(state, in: body, into: &buffer)
    }
    StatusLine.render(state, in: Rect(x: 0, y: size.height - 1, width: size.width, height: 1), into: &buffer)
    switch state.overlay {
    case .help(let scroll): HelpView.render(state, scroll: scroll, in: body, into: &buffer)
    case .palette(let palette): cursor = PaletteView.render(state, palette, in: body, into: &buffer)
    case nil: break
    }
    return cursor
}

/// Status bar: model, context used/total, last tok/s or live progress, an error if any, and key hints.
enum StatusLine {
    static func render(_ state: AppState, in rect: Rect, into buffer: inout ScreenBuffer) {
        var left: [Span] = []
        let bar = Style(.statusBar)
        if let model = state.models.loaded {
            left.append(Span(" ● \(model.name) ", bar))
        } else if let loading = state.models.loading {
            left.append(Span(" loading \(Int(loading.fraction * 100))% ", bar))
        } else {
            left.append(Span(" no model ", bar))
        }
        let chat = state.chat
        if chat.contextSize > 0 { left.append(Span("│ ctx \(chat.contextUsed)/\(chat.contextSize) ", bar)) }
        if let generation = chat.generation {
            left.append(Span("│ \(generation.tokens) tok \(Format.rate(generation.tokensPerSecond)) tok/s ", bar))
        } else if chat.lastTokensPerSecond > 0 {
            left.append(Span("│ \(Format.rate(chat.lastTokensPerSecond)) tok/s ", bar))
        }
        let active = state.models.downloads.filter { $0.state == .running || $0.state == .verifying }
        if !active.isEmpty {
            // Downloads keep going in any pane: their overall progress stays in sight.
            let bytes = active.reduce(0) { $0 + $1.bytes }, total = active.reduce(0) { $0 + $1.total }
            let rate = active.reduce(0.0) { $0 + $1.bytesPerSecond }
            let percent = total > 0 ? bytes * 100 / total : 0
            left.append(Span("│ ↓\(active.count > 1 ? "\(active.count) " : "")\(percent)% \(Format.bytes(Int(rate)))/s ", bar))
        }
        if let error = chat.lastError ?? state.models.lastError {
            left.append(Span("│ \(error) ", Style(.error, .bold)))
        }
        if let notice = state.notice { left.append(Span("│ \(notice) ", Style(.warning, .bold))) }
        // Hints take what the facts leave, dropping from the end so none is cut in half.
        let room = rect.width - StyledLine(left).width - 1
        var shown = hints(state)
        while !shown.isEmpty, CharacterWidth.of(shown.joined(separator: " · ") + " ") > room { shown.removeLast() }
        let right = shown.isEmpty ? [] : [Span(shown.joined(separator: " · ") + " ", bar)]
        StatusBar(left: left, right: right).render(in: rect, into: &buffer)
    }

    /// ["Enter send", "Esc stop", "F1 help"]: the hinted bindings of the current scope, then global ones.
    static func hints(_ state: AppState) -> [String] {
        let scoped = state.scope == .global ? [] : Keymap.bindings(state.scope)
        return (scoped + Keymap.bindings(.global)).compactMap { binding in
            binding.hint.map { "\(binding.keys[0].label) \($0)" }
        }
    }
}
