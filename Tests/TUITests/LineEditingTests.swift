// The line-editing keys shared by every text field: one table in the keymap (Keymap.lineEditing) and one
// implementation (TextInputState.apply), so each field's scope binds the same keys to the same edits.
import Screen
import Testing
import TUI

@Suite struct LineEditingTests {
    @Test func eachActionEditsTheField() {
        var field = TextInputState("ab\ncd")                          // cursor at the end, after "d"
        #expect(field.apply(.cursorLeft) && field.cursor == 4)
        #expect(field.apply(.lineStart) && field.cursor == 3)          // start of the second line
        #expect(field.apply(.deleteBackward) && field.text == "abcd" && field.cursor == 2)
        #expect(field.apply(.lineStart) && field.cursor == 0)
        #expect(field.apply(.deleteForward) && field.text == "bcd" && field.cursor == 0)
        #expect(field.apply(.cursorRight) && field.cursor == 1)
        #expect(field.apply(.lineEnd) && field.cursor == 3)
    }

    @Test func otherActionsChangeNothing() {
        var field = TextInputState("hello")
        let before = field
        for action: Action in [.send, .commitField, .cancelField, .listUp, .newline, .historyPrevious] {
            #expect(!field.apply(action))
            #expect(field == before)
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
            #expect(field.apply(binding.action), "\(binding.help) is not applied")
        }
    }
}
