// Turns messages into display lines: a role header, the markdown body indented by two, and for replies a
// dim line of token count, speed and time to first token. Built from the newest message back, so a long
// conversation costs only what is on screen.
import Bus
import Foundation
import Screen

enum ChatTranscript {
    static func lines(for message: ConversationMessage, width: Int, showThinking: Bool, streaming: Bool) -> [StyledLine] {
        guard width > 2 else { return [] }
        let (name, role): (String, Role) = switch message.role {
        case .user: ("You", .user)
        case .assistant: ("Assistant", .assistant)
        case .system: ("System", .system)
        }
        var out = [StyledLine(name, Style(role, .bold))]
        let base = Style(message.role == .user ? .text : role)
        var body = Markdown.lines(trimmedEnd(message.text), width: width - 2, base: base, showThinking: showThinking)
        if streaming {
            if body.isEmpty || body.last?.width ?? 0 >= width - 2 { body.append(StyledLine()) }
            body[body.count - 1].spans.append(Span("▌", Style(.accent)))
        }
        out += body.map { StyledLine([Span("  ")] + $0.spans) }
        if let info = message.info {
            out.append(StyledLine(Text.truncate("  " + summary(info), to: width), Style(.dim)))
        }
        out.append(StyledLine())
        return out
    }

    /// The text without trailing blank lines (a reply ending in "\n" would otherwise leave an empty row).
    private static func trimmedEnd(_ text: String) -> String {
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)].isNewline { end = text.index(before: end) }
        return String(text[..<end])
    }

    /// "42 tokens · 35.1 tok/s · first token 120 ms" (+ why it stopped, when not the natural end).
    static func summary(_ info: CompletionInfo) -> String {
        var s = "\(info.generatedTokens) tokens · \(Format.rate(info.tokensPerSecond)) tok/s · first token "
            + "\(Int((info.timeToFirstToken * 1000).rounded())) ms"
        switch info.stopReason {
        case .endOfSequence: break
        case .maxTokens: s += " · max tokens"
        case .cancelled: s += " · stopped"
        case .contextFull: s += " · context full"
        }
        return s
    }

    /// The last `count + skip` display lines of the conversation, minus the `skip` newest: what a viewport
    /// of `count` rows scrolled `skip` lines up shows. Also returns the total known to exist above.
    static func visibleLines(_ chat: ChatState, width: Int, count: Int, skip: Int) -> [StyledLine] {
        let conversation = chat.conversation
        let streamingHere = chat.generation?.conversation == conversation.id
        var collected: [StyledLine] = []
        var index = conversation.messages.count - 1
        let needed = count + skip
        while index >= 0, collected.count < needed {
            let message = conversation.messages[index]
            let isStreaming = streamingHere && index == conversation.messages.count - 1
            collected.insert(contentsOf: lines(for: message, width: width, showThinking: chat.showThinking,
                                               streaming: isStreaming), at: 0)
            index -= 1
        }
        if collected.last == StyledLine() { collected.removeLast() }     // no gap under the newest message
        if index < 0, !conversation.systemPrompt.isEmpty {
            let prompt = conversation.systemPrompt.replacingOccurrences(of: "\n", with: " ")
            collected.insert(contentsOf: [StyledLine(Text.truncate("⚙ " + prompt, to: width), Style(.system)),
                                          StyledLine()], at: 0)
        }
        let clampedSkip = min(skip, max(0, collected.count - count))
        let end = collected.count - clampedSkip
        return Array(collected[max(0, end - count)..<end])
    }
}

/// Number formatting shared by the views.
enum Format {
    static func rate(_ v: Double) -> String {
        guard v.isFinite else { return "0.0" }
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    static func bytes(_ n: Int) -> String {
        let mib = Double(n) / 1_048_576
        return mib >= 1024 ? "\(rate(mib / 1024)) GiB" : "\(rate(mib)) MiB"
    }

    static func count(_ n: Int) -> String {
        n >= 1_000_000_000 ? "\(rate(Double(n) / 1e9))B" : n >= 1_000_000 ? "\(rate(Double(n) / 1e6))M"
            : n >= 1000 ? "\(rate(Double(n) / 1e3))K" : "\(n)"
    }
}
