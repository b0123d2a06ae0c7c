// The line-editing actions (Keymap.lineEditing) carried out on a text field, shared by every field's reducer.
import Screen

extension TextInputState {
    /// Applies `action` when it is one of the line-editing actions and returns true; returns false, changing
    /// nothing, for any other action.
    @discardableResult
    public mutating func apply(_ action: Action) -> Bool {
        switch action {
        case .cursorLeft: moveLeft()
        case .cursorRight: moveRight()
        case .lineStart: moveToLineStart()
        case .lineEnd: moveToLineEnd()
        case .deleteBackward: backspace()
        case .deleteForward: deleteForward()
        default: return false
        }
        return true
    }
}
