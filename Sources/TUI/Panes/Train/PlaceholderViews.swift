// Quantize pane: what will come, plus the latest event if a service already publishes one.
import Bus
import Screen

enum PlaceholderViews {
    static func quantize(_ state: AppState, in body: Rect, into buffer: inout ScreenBuffer) {
        var lines = [
            StyledLine("Quantization", Style(.heading, .bold)), StyledLine(),
            StyledLine("GGUF to GGUF quantization (Q8_0, Q4_K_M and the llama.cpp mixes), safetensors conversion"),
            StyledLine("and perplexity / KL-divergence checks arrive with the Quantizer issue."),
            StyledLine("This pane will show per-tensor progress, sizes before and after, and quality figures."),
            StyledLine(), StyledLine("Until then: lathe quantize --help", Style(.dim)),
        ]
        if let last = state.background.lastQuantize { lines += [StyledLine(), StyledLine("Latest: \(last)", Style(.accent))] }
        panel("Quantize", lines, sparkline: [], in: body, into: &buffer)
    }

    private static func panel(_ title: String, _ lines: [StyledLine], sparkline: [Double], in body: Rect,
                              into buffer: inout ScreenBuffer) {
        let bordered = body.height >= 6 && body.width >= 30
        let block = Block(title: title)
        if bordered { block.render(in: body, into: &buffer) }
        var inner = bordered ? block.inner(of: body).inset(left: 1, right: 1) : body
        if !sparkline.isEmpty, inner.height > 2 {
            let (rest, bar) = inner.splitBottom(1)
            Sparkline(values: sparkline).render(in: bar, into: &buffer)
            inner = rest
        }
        Paragraph(lines).render(in: inner, into: &buffer)
    }
}
