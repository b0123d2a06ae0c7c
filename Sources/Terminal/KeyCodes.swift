// ncurses key codes (keypad mode) to Screen's Key.
import CNcursesw
import Screen

enum KeyCodes {
    static func key(for code: Int32) -> Key? {
        let f0 = lathe_key_f0()
        if code > f0, code <= f0 + 12 { return .function(Int(code - f0)) }
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_IC: return .insert
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        default: return nil
        }
    }
}
