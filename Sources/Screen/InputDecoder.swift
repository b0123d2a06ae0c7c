// Turns raw terminal input into events: control bytes into Ctrl keys, ESC+key into Alt keys (ESC+Enter is
// Alt-Enter), bracketed paste (ESC[200~ … ESC[201~) and bursts of text containing newlines into one paste.
// Pure, so the Terminal backend's decoding is tested without a terminal.

public enum RawInput: Hashable, Sendable {
    /// A character as read (control bytes included).
    case scalar(Unicode.Scalar)
    /// A key the terminal library already decoded (arrows, F-keys...).
    case key(Key)
    case mouse(MouseEvent)
    case resize(Size)
}

public struct InputDecoder: Sendable {
    private var pasting = false
    private var pasted = ""

    public init() {}

    /// Decodes one batch (everything read in one poll).
    public mutating func decode(_ batch: [RawInput]) -> [TerminalEvent] {
        var events: [TerminalEvent] = []
        var i = 0
        while i < batch.count {
            if pasting {
                if matches(batch, at: i, "\u{1B}[201~") {
                    pasting = false
                    events.append(.paste(pasted))
                    pasted = ""
                    i += 6
                } else {
                    if case .scalar(let s) = batch[i] { pasted.unicodeScalars.append(s) }
                    i += 1
                }
                continue
            }
            if matches(batch, at: i, "\u{1B}[200~") {
                pasting = true
                i += 6
                continue
            }
            if let (text, end) = textBurst(batch, from: i) {
                events.append(.paste(text))
                i = end
                continue
            }
            switch batch[i] {
            case .key(let key): events.append(.key(key))
            case .mouse(let mouse): events.append(.mouse(mouse))
            case .resize(let size): events.append(.resize(size))
            case .scalar(let s):
                if s == "\u{1B}" {
                    let (event, used) = escape(batch, at: i)
                    if let event { events.append(event) }
                    i += used
                    continue
                }
                if let key = Self.key(for: s) { events.append(.key(key)) }
            }
            i += 1
        }
        return events
    }

    /// The key for a single scalar: control bytes become Ctrl keys.
    public static func key(for s: Unicode.Scalar) -> Key? {
        switch s.value {
        case 0x0D: .enter
        case 0x0A: .ctrl("j")
        case 0x09: .tab
        case 0x08, 0x7F: .backspace
        case 0x1B: .escape
        case 0x01...0x1A: .ctrl(Character(Unicode.Scalar(s.value + 0x60)!))
        case 0x00, 0x1C...0x1F: nil
        default: .char(Character(s))
        }
    }

    /// ESC alone, ESC+Enter (Alt-Enter), ESC+char (Alt-char), or an unknown CSI/SS3 sequence (dropped).
    private func escape(_ batch: [RawInput], at i: Int) -> (TerminalEvent?, Int) {
        guard i + 1 < batch.count, case .scalar(let next) = batch[i + 1] else { return (.key(.escape), 1) }
        switch next {
        case "\r", "\n": return (.key(.altEnter), 2)
        case "[", "O":
            var j = i + 2
            while j < batch.count, case .scalar(let s) = batch[j] {
                j += 1
                if (0x40...0x7E).contains(s.value) { break }
            }
            return (nil, j - i)
        case "\u{1B}": return (.key(.escape), 1)
        default:
            if next.value < 0x20 { return (.key(.escape), 1) }
            return (.key(.alt(Character(next))), 2)
        }
    }

    /// A run of plain text (printable, tab, CR, LF) with a line break before its end: a multi-line paste
    /// from a terminal without bracketed paste. A lone Enter, or typing then Enter, is not a burst.
    private func textBurst(_ batch: [RawInput], from i: Int) -> (String, Int)? {
        var text = ""
        var j = i
        var hasBreak = false, hasText = false
        while j < batch.count, case .scalar(let s) = batch[j], s.value >= 0x20 && s.value != 0x7F || s == "\r" || s == "\n" || s == "\t" {
            if s == "\r" || s == "\n" { hasBreak = true } else if s != "\t" { hasText = true }
            text.unicodeScalars.append(s == "\r" ? "\n" : s)
            j += 1
        }
        guard hasBreak, hasText, j - i >= 2 else { return nil }
        // Text whose only line break is the last character is typing then Enter (or a one-line paste that
        // should send, as it would in a terminal without bracketed paste), not a multi-line paste.
        if text.filter({ $0 == "\n" }).count == 1, text.last == "\n" { return nil }
        return (text, j)
    }

    private func matches(_ batch: [RawInput], at i: Int, _ sequence: String) -> Bool {
        let scalars = Array(sequence.unicodeScalars)
        guard i + scalars.count <= batch.count else { return false }
        for (k, s) in scalars.enumerated() {
            guard case .scalar(let b) = batch[i + k], b == s else { return false }
        }
        return true
    }
}
