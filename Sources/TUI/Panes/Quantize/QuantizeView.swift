// Quantize pane: the source model list and target type with the estimated size on the left; on the right the
// run: overall gauge with ETA, the latest tensors (name, shape, from -> to, error), the outcome, and the
// perplexity / KL figures when asked for.
import Bus
import Screen

enum QuantizeView {
    static func render(_ state: AppState, in body: Rect, into buffer: inout ScreenBuffer) {
        let q = state.quantize
        let bordered = body.height >= 8 && body.width >= 30
        let wide = body.width >= 70
        let (left, right) = wide ? body.splitLeft(body.width * 2 / 5) : body.splitTop(min(body.height, max(3, body.height / 2)))
        renderChoice(state, q, in: left, bordered: bordered, into: &buffer)
        if !right.isEmpty { renderRun(q, in: right, bordered: bordered, into: &buffer) }
    }

    private static func renderChoice(_ state: AppState, _ q: QuantizeState, in rect: Rect, bordered: Bool,
                                     into buffer: inout ScreenBuffer) {
        let block = Block(title: "Quantize", style: Style(.borderFocused))
        if bordered { block.render(in: rect, into: &buffer) }
        let inner = bordered ? block.inner(of: rect) : rect
        let (listRect, choiceRect) = inner.height >= 8 ? inner.splitBottom(5) : (inner, Rect(x: 0, y: 0, width: 0, height: 0))
        let models = state.models.available
        if models.isEmpty {
            Paragraph("No .gguf files in the models directory (r rescans).", style: Style(.dim)).render(in: listRect, into: &buffer)
        } else {
            let items = models.map { StyledLine([Span($0.name), Span("  \($0.quantization)", Style(.dim))]) }
            var list = ListState(selected: q.list.selected)
            ListView(items: items).render(in: listRect, into: &buffer, state: &list)
        }
        guard !choiceRect.isEmpty else { return }
        var lines = [StyledLine([Span("Target ", Style(.dim)), Span("◀ ", Style(.dim)), Span(q.type, Style(.accent, .bold)),
                                 Span(" ▶", Style(.dim))])]
        if let e = q.estimate, models.indices.contains(q.list.selected), e.input == models[q.list.selected].path, e.type == q.type {
            lines.append(StyledLine([Span("Size   ", Style(.dim)), Span("\(Format.bytes(e.inputBytes)) → ~\(Format.bytes(e.outputBytes))")]))
            lines.append(StyledLine([Span("Tensors ", Style(.dim)), Span("\(e.tensors)")]))
            if e.requantizes { lines.append(StyledLine("source is quantized: requantizing", Style(.warning))) }
        } else if models.indices.contains(q.list.selected) {
            lines.append(StyledLine("estimating…", Style(.dim)))
        }
        if let error = q.lastError { lines.append(StyledLine(error, Style(.error))) }
        Paragraph(lines).render(in: choiceRect.inset(left: 1), into: &buffer)
    }

    private static func renderRun(_ q: QuantizeState, in rect: Rect, bordered: Bool, into buffer: inout ScreenBuffer) {
        let block = Block(title: "Progress")
        if bordered { block.render(in: rect, into: &buffer) }
        var inner = (bordered ? block.inner(of: rect) : rect).inset(left: 1, right: 1)
        guard !inner.isEmpty else { return }
        var header: [StyledLine] = []
        switch q.status {
        case .idle:
            header.append(StyledLine("Choose a model and a type, then Enter.", Style(.dim)))
        case .running:
            let name = q.request.map { fileName($0.output) } ?? ""
            header.append(StyledLine([Span(q.cancelRequested ? "cancelling " : "writing ", Style(.dim)), Span(name)]))
        case let .finished(output, bytes, seconds):
            header.append(StyledLine([Span("done ", Style(.success, .bold)), Span(fileName(output))]))
            header.append(StyledLine("\(Format.bytes(bytes)) in \(Format.rate(seconds)) s"))
        case .cancelled:
            header.append(StyledLine("cancelled: no file was left behind", Style(.warning)))
        case .failed(let message):
            header.append(StyledLine("failed: \(message)", Style(.error)))
        }
        if let evaluating = q.evaluating {
            header.append(StyledLine("evaluating… \(evaluating.done)/\(evaluating.total) chunks", Style(.dim)))
        } else if let e = q.evaluation {
            let delta = e.quantizedPPL - e.basePPL
            header.append(StyledLine("PPL \(fixed(e.basePPL, 3)) → \(fixed(e.quantizedPPL, 3)) (Δ \(delta >= 0 ? "+" : "")\(fixed(delta, 3)))"))
            header.append(StyledLine("KLD \(fixed(e.meanKLD, 5)) · same top-1 \(fixed(e.top1Agreement * 100, 1))%"))
        } else if case .finished = q.status {
            header.append(StyledLine("e: perplexity and KL vs the source", Style(.dim)))
        }
        let (top, rest) = inner.splitTop(min(inner.height, header.count))
        Paragraph(header).render(in: top, into: &buffer)
        inner = rest
        guard q.status != .idle, inner.height >= 1 else { return }
        let (gaugeRect, tableRect) = inner.splitTop(1)
        let eta = q.etaSeconds.map { " · ETA \(Format.rate($0)) s" } ?? ""
        let label = "\(Int((q.fraction * 100).rounded(.down)))% · \(q.rows.count)/\(q.tensorCount) tensors\(q.isRunning ? eta : "")"
        Gauge(fraction: q.fraction, label: label).render(in: gaugeRect, into: &buffer)
        guard tableRect.height >= 2 else { return }
        let shapeWidth = 10, typeWidth = 10, errorWidth = 7
        let nameWidth = max(8, tableRect.width - shapeWidth - typeWidth - errorWidth - 3)
        let visible = q.rows.suffix(tableRect.height - 1)
        let rows = visible.map { row in
            [row.name, row.shape.map(String.init).joined(separator: "×"), row.from == row.to ? row.to : "\(row.from)→\(row.to)",
             row.relativeError.map { fixed($0, 4) } ?? "copy"]
        }
        Table(columns: [.init("tensor", width: nameWidth), .init("shape", width: shapeWidth), .init("type", width: typeWidth),
                        .init("error", width: errorWidth, alignRight: true)], rows: rows)
            .render(in: tableRect, into: &buffer)
    }

    /// `value` with `digits` decimals, without Foundation's locale-dependent formatting.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale), fraction = scaled % Int(scale)
        let fractionText = String(fraction)
        let padded = String(repeating: "0", count: max(0, digits - fractionText.count)) + fractionText
        return (value < 0 && scaled != 0 ? "-" : "") + (digits > 0 ? "\(whole).\(padded)" : "\(whole)")
    }
}

/// The last component of a path.
private func fileName(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }
