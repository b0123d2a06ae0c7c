// The line-editing keys shared by every text field: one table in the keymap (Keymap.lineEditing) and one
// implementation (TextInputState.apply), so each field's scope binds the same keys to the same edits.
import Screen
import Testing
import TUI

@Suite struct LineEditingTests {
    @Test func eachActionEditsTheField() {
        var field = TextInputState("ab\ncd")                          // cursor at the end, after "d"
        /// Applies `action` and returns the text with "|" at the cursor (nil when `apply` refused it).
        func edit(_ action: Action) -> String? {
            guard field.apply(action) else { return nil }
            var shown = field.characters
            shown.insert("|", at: field.cursor)
            return String(shown)
        }
        let steps: [(Action, String)] = [
            (.cursorLeft, "ab\nc|d"), (.lineStart, "ab\n|cd"), (.deleteBackward, "ab|cd"), (.lineStart, "|abcd"),
            (.deleteForward, "|bcd"), (.cursorRight, "b|cd"), (.lineEnd, "bcd|"),
        ]
        for (action, expected) in steps {
            let shown = edit(action)
            #expect(shown == expected, "\(action)")
        }
    }

    @Test func otherActionsChangeNothing() {
        var field = TextInputState("hello")
        let before = field
        for action: Action in [.send, .commitField, .cancelField, .listUp, .newline, .historyPrevious] {
            let applied = field.apply(action)
            #expect(!applied && field == before, "\(action)")
        }
    }

    @Test func everyTextFieldScopeBindsTheSharedKeys() {
        for scope: Scope in [.chatInput, .field, .modelsSearch, .modelsEndpoint, .trainField] {
            for binding in Keymap.lineEditing {
                #expect(Keymap.bindings(scope).contains(binding), "\(scope) lacks \(binding.help)")
                for key in binding.keys {
                    #expect(Keymap.action(for: key, in: scope) == binding.action, "\(scope): \(key.label) is shadowed")
                }
            }
        }
        // Every shared binding is one that `apply` carries out.
        for binding in Keymap.lineEditing {
            var field = TextInputState("x")
            let applied = field.apply(binding.action)
            #expect(applied, "\(binding.help) is not applied")
        }
    }
}
