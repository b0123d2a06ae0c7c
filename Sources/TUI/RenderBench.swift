// Render cost benchmark (for `lathe bench render`): a full chat-pane redraw at 200×60 into MemoryBackend,
// and a streaming frame (one token reduced, then an incremental redraw) on the same conversation.
import Bus
import Foundation
import Screen

public enum RenderBench {
    public struct Result: Sendable, CustomStringConvertible {
        /// Full redraws per second: view → buffer → every cell sent to the backend.
        public var framesPerSecond: Double
        /// Streaming frames per second: reduce one token, redraw, send only the changed cells.
        public var streamingFramesPerSecond: Double
        public var cellsPerFullFrame: Int
        public var averageCellsPerStreamingFrame: Double

        public var description: String {
            "full redraw 200x60: \(Int(framesPerSecond)) frames/s (\(cellsPerFullFrame) cells); "
                + "streaming frame: \(Int(streamingFramesPerSecond)) frames/s "
                + "(\(Int(averageCellsPerStreamingFrame)) cells changed on average)"
        }
    }

    /// Runs both measurements over `frames` frames each.
    ///
    /// ```swift
    /// print(RenderBench.run())     // full redraw 200x60: N frames/s ...
    /// ```
    public static func run(frames: Int = 300, size: Size = Size(width: 200, height: 60)) -> Result {
        var state = benchState(size: size)
        let backend = MemoryBackend(size: size)
        let renderer = Renderer()
        var cells = 0
        let fullStart = ContinuousClock.now
        for _ in 0..<frames {
            var screen = ScreenBuffer(size: size)
            let cursor = render(state, into: &screen)
            renderer.invalidate()
            cells = renderer.render(screen, cursor: cursor, to: backend)
        }
        let full = seconds(ContinuousClock.now - fullStart)

        let request = state.chat.generation?.request ?? UUID()
        var changed = 0
        let streamStart = ContinuousClock.now
        for i in 0..<frames {
            let stats = TokenStats(generatedTokens: i + 1, tokensPerSecond: 40, contextUsed: 500 + i, contextSize: 4096)
            _ = reduce(&state, .generation(.token(request: request, text: i % 7 == 0 ? " word\n" : " token", stats: stats)))
            var screen = ScreenBuffer(size: size)
            let cursor = render(state, into: &screen)
            changed += renderer.render(screen, cursor: cursor, to: backend)
        }
        let streaming = seconds(ContinuousClock.now - streamStart)
        return Result(framesPerSecond: Double(frames) / max(full, 1e-9),
                      streamingFramesPerSecond: Double(frames) / max(streaming, 1e-9),
                      cellsPerFullFrame: cells, averageCellsPerStreamingFrame: Double(changed) / Double(max(1, frames)))
    }

    /// A conversation of 20 markdown-rich exchanges with a reply still streaming.
    static func benchState(size: Size) -> AppState {
        var state = AppState(size: size)
        let reply = """
        ## Answer
        Here is **bold** text, `code`, 日本語のテキスト and emoji 🎉 in a paragraph long enough to wrap across \
        the transcript several times at this width, so wrapping is part of what is measured.
        - a bullet point with some words
        - another bullet point
        ```python
        def f(x):
            return x * 2
        ```
        """
        for i in 0..<20 {
            state.chat.conversation.messages.append(ConversationMessage(role: .user, text: "Question number \(i)?"))
            state.chat.conversation.messages.append(ConversationMessage(role: .assistant, text: reply, info: CompletionInfo(
                promptTokens: 100, generatedTokens: 80, promptTokensPerSecond: 500, tokensPerSecond: 40,
                timeToFirstToken: 0.1, stopReason: .endOfSequence)))
        }
        for ch in "A question being streamed" { _ = reduce(&state, .key(.char(ch))) }
        _ = reduce(&state, .key(.enter))
        return state
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
