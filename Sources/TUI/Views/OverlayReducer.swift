// Help overlay and command palette. The palette lists the bindings of the global scope and of the pane
// behind it; Enter runs the selected action through the same `perform` keys use.
import Screen

/// One command the palette offers.
public struct PaletteItem: Sendable, Equatable {
    public var title: String
    public var keys: String
    public var action: Action
}

/// The palette's commands for `state` (ignoring the overlay itself), filtered by `filter`.
public func paletteItems(_ state: AppState, filter: String) -> [PaletteItem] {
    var behind = state
    behind.overlay = nil
    let scopes: [Scope] = behind.scope == .global ? [.global] : [behind.scope, .global]
    let items = scopes.flatMap(Keymap.bindings).filter { !Keymap.lineEditing.contains($0) }
        .map { PaletteItem(title: $0.help, keys: $0.keyLabel, action: $0.action) }
    let needle = filter.lowercased()
    return needle.isEmpty ? items : items.filter { $0.title.lowercased().contains(needle) }
}

func performOverlay(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch state.overlay {
    case .help(let scroll):
        switch action {
        case .listUp: state.overlay = .help(scroll: max(0, scroll - 1))
        case .listDown: state.overlay = .help(scroll: scroll + 1)
        default: state.overlay = nil
        }
        return []
    case .palette(var palette):
        let items = paletteItems(state, filter: palette.filter.text)
        switch action {
        case .listUp: palette.selected = max(0, palette.selected - 1)
        case .listDown: palette.selected = min(max(0, items.count - 1), palette.selected + 1)
        case .runSelected:
            state.overlay = nil
            guard items.indices.contains(palette.selected) else { return [] }
            return perform(&state, items[palette.selected].action)
        default:
            state.overlay = nil
            return []
        }
        state.overlay = .palette(palette)
        return []
    case nil:
        return []
    }
}

/// Editing keys inside the palette filter.
func paletteEdit(_ state: inout AppState, _ key: Key) -> Bool {
    guard case .palette = state.overlay else { return false }
    switch key {
    case .backspace: editFocusedText(&state) { $0.backspace() }
    case .left: editFocusedText(&state) { $0.moveLeft() }
    case .right: editFocusedText(&state) { $0.moveRight() }
    default: return false
    }
    return true
}
