// Train pane: what will come, plus the latest event if a service already publishes one.
import Bus
import Screen

enum PlaceholderViews {
    static func train(_ state: AppState, in body: Rect, into buffer: inout ScreenBuffer) {
        var lines = [
            StyledLine("Fine-tuning", Style(.heading, .bold)), StyledLine(),
            StyledLine("LoRA, QLoRA and full training of small models arrive with the Trainer issue."),
            StyledLine("This pane will show the loss curve, validation loss, tokens/s, the learning-rate schedule"),
            StyledLine("and checkpoints as they are written, and let you stop or resume a run."),
            StyledLine(), StyledLine("Until then: lathe train --help", Style(.dim)),
        ]
        if let last = state.background.lastTrain { lines += [StyledLine(), StyledLine("Latest: \(last)", Style(.accent))] }
        panel("Train", lines, sparkline: state.background.trainLosses, in: body, into: &buffer)
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
