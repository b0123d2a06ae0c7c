// The Train pane, the fine-tune monitor: on the left the new-run form and the runs on disk; on the right the
// live run's status and figures (step/epoch, loss, eval loss, lr, grad norm, tokens/s, ETA, memory,
// checkpoint), the train/eval loss chart (with the selected past run drawn for comparison) and the latest
// sample reply.
import Bus
import Screen

enum TrainView {
    static func render(_ state: AppState, in body: Rect, into buffer: inout ScreenBuffer) -> Point? {
        let train = state.train
        guard body.width >= 40, body.height >= 10 else {
            Text.render(compactLine(train), style: Style(.accent), in: body, into: &buffer)
            return nil
        }
        let leftWidth = min(44, max(30, body.width * 2 / 5))
        let (left, right) = body.splitLeft(leftWidth)
        let formHeight = min(left.height - 3, TrainField.allCases.count + 3)
        let (formRect, runsRect) = left.splitTop(formHeight)
        let cursor = renderForm(train, loaded: state.models.loaded?.name, in: formRect, into: &buffer)
        renderRuns(train, in: runsRect, into: &buffer)
        renderMonitor(state, in: right, into: &buffer)
        return cursor
    }

    static func compactLine(_ train: TrainState) -> String {
        guard let live = train.live else { return "Train: no run" }
        let step = live.latest.map { "step \($0.step)/\($0.totalSteps) loss \(String(format: "%.3f", $0.loss))" } ?? ""
        return "Train: \(live.status.label) \(step)"
    }

    // MARK: Form

    private static func renderForm(_ train: TrainState, loaded: String?, in rect: Rect,
                                   into buffer: inout ScreenBuffer) -> Point? {
        let focused = train.focus == .form
        let block = Block(title: "New fine-tune · s starts", style: Style(focused ? .borderFocused : .border))
        block.render(in: rect, into: &buffer)
        let inner = block.inner(of: rect).inset(left: 1, right: 1)
        let labelWidth = 14
        var cursor: Point?
        for (i, field) in TrainField.allCases.enumerated() where i < inner.height {
            let row = Rect(x: inner.x, y: inner.y + i, width: inner.width, height: 1)
            let selected = focused && field == train.field
            let (labelRect, valueRect) = row.splitLeft(labelWidth)
            Text.render(field.label, style: Style(selected ? .selection : .dim), in: labelRect, into: &buffer)
            if selected, let editing = train.editing {
                cursor = TextInput(state: editing).render(in: valueRect, into: &buffer)
            } else {
                var value = train.form.value(field)
                if field == .model, train.form.model.isEmpty, let loaded { value = loaded }
                let placeholder = (field == .model || field == .data) && train.form.text(field).isEmpty
                Text.render(value, style: Style(selected ? .selection : placeholder ? .dim : .text), in: valueRect,
                            into: &buffer)
            }
        }
        return cursor
    }

    // MARK: Runs

    private static func renderRuns(_ train: TrainState, in rect: Rect, into buffer: inout ScreenBuffer) {
        guard rect.height >= 3 else { return }
        let focused = train.focus == .runs
        let block = Block(title: "Runs · Tab · r resumes", style: Style(focused ? .borderFocused : .border))
        block.render(in: rect, into: &buffer)
        let inner = block.inner(of: rect).inset(left: 1)
        if train.runs.isEmpty {
            Paragraph("No runs yet. Fill in the form and press s; runs are kept and listed here.", style: Style(.dim))
                .render(in: inner, into: &buffer)
            return
        }
        let items = train.runs.map { run -> StyledLine in
            let last = run.losses.last.map { String(format: " %.3f", $0.loss) } ?? ""
            let done = run.isFinished ? "✓" : "·"        // ·: stopped (or still running)
            return StyledLine([Span("\(done) ", Style(run.isFinished ? .success : .dim)), Span(run.name),
                               Span(" \(run.kind) \(run.step)/\(run.totalSteps)\(last)", Style(.dim))])
        }
        var list = ListState(selected: focused ? train.runList.selected : -1)
        ListView(items: items).render(in: inner, into: &buffer, state: &list)
    }

    // MARK: Monitor

    private static func renderMonitor(_ state: AppState, in rect: Rect, into buffer: inout ScreenBuffer) {
        let train = state.train
        let live = train.live
        let title = live.map { "Run \(name($0.directory)) · \($0.status.label)" } ?? "Fine-tune monitor"
        let block = Block(title: title)
        block.render(in: rect, into: &buffer)
        let inner = block.inner(of: rect).inset(left: 1, right: 1)
        var lines: [StyledLine] = []
        if let error = train.lastError { lines.append(StyledLine(error, Style(.error))) }
        if let live, let m = live.latest {
            let eval = live.evals.last.map { String(format: "%.4f", $0.loss) } ?? "–"
            let memory = state.metrics.samples.last.map { Format.bytes($0.residentBytes) } ?? "–"
            lines.append(StyledLine([
                Span("step ", Style(.dim)), Span("\(m.step)/\(m.totalSteps)"), Span("  epoch ", Style(.dim)),
                Span(String(format: "%.2f", m.epoch)), Span("  ETA ", Style(.dim)), Span(TrainFormat.duration(m.eta)),
            ]))
            lines.append(StyledLine([
                Span("loss ", Style(.dim)), Span(String(format: "%.4f", m.loss), Style(.chart)),
                Span("  eval ", Style(.dim)), Span(eval, Style(.chartAlt)),
                Span("  lr ", Style(.dim)), Span(String(format: "%.1e", m.learningRate)),
            ]))
            lines.append(StyledLine([
                Span("|g| ", Style(.dim)), Span(String(format: "%.3f", m.gradientNorm)),
                Span("  tok/s ", Style(.dim)), Span(Format.rate(m.tokensPerSecond)), Span("  mem ", Style(.dim)),
                Span(memory), Span("  ckpt ", Style(.dim)), Span(live.checkpointStep.map { "step \($0)" } ?? "–"),
            ]))
        } else if let live {
            lines.append(StyledLine("\(live.status.label) \(live.directory)", Style(.dim)))
            if case .failed(let message) = live.status { lines.append(StyledLine(message, Style(.error))) }
        } else {
            lines += [
                StyledLine("No run in progress. Fill in the form and press s.", Style(.dim)),
                StyledLine("Enter edits a field; ←/→ change values.", Style(.dim)),
                StyledLine("p pause/continue · x stop (saves) · r resume", Style(.dim)),
            ]
        }
        if let live, case .finished(let path) = live.status {
            lines.append(StyledLine("saved \(path)", Style(.success)))
        }
        let sampleHeight = live?.sample != nil && inner.height >= 14 ? 4 : 0
        let headerHeight = min(inner.height, lines.count)
        let (header, rest) = inner.splitTop(headerHeight)
        Paragraph(lines, wrap: false).render(in: header, into: &buffer)
        let (chartArea, sampleArea) = rest.splitBottom(sampleHeight)
        renderChart(train, in: chartArea, into: &buffer)
        if let sample = live?.sample, !sampleArea.isEmpty {
            let sampleBlock = Block(title: "Sample at step \(sample.step)")
            sampleBlock.render(in: sampleArea, into: &buffer)
            Paragraph(sample.text.trimmingCharacters(in: .whitespacesAndNewlines), style: Style(.assistant))
                .render(in: sampleBlock.inner(of: sampleArea).inset(left: 1), into: &buffer)
        }
    }

    private static func renderChart(_ train: TrainState, in rect: Rect, into buffer: inout ScreenBuffer) {
        guard rect.height >= 4, rect.width >= 20, train.live != nil || train.focus == .runs else { return }
        var series: [SeriesChart.Series] = []
        var span = 1.0
        // The selected past run, for comparison (drawn first, so the live curves stay on top).
        if train.focus == .runs, let past = train.selectedRun, past.path != train.live?.directory {
            series.append(.init(points: past.losses.map { (Double($0.step), $0.loss) }, style: Style(.dim)))
            series.append(.init(points: past.evalLosses.map { (Double($0.step), $0.loss) }, style: Style(.dim)))
            span = max(span, Double(past.totalSteps))
        }
        if let live = train.live {
            series.append(.init(points: live.steps.map { (Double($0.step), $0.loss) }, style: Style(.chart)))
            series.append(.init(points: live.evals.map { (Double($0.step), $0.loss) }, style: Style(.chartAlt)))
            span = max(span, Double(live.totalSteps))
        }
        let chart = SeriesChart(series: series, xSpan: span)
        let label = chart.bounds.map { String(format: "Loss  %.3f–%.3f  ", $0.lowerBound, $0.upperBound) } ?? "Loss  "
        let block = Block(title: label + "train ━ eval ━ · steps 0–\(Int(span))")
        block.render(in: rect, into: &buffer)
        let inner = block.inner(of: rect)
        if series.allSatisfy({ $0.points.isEmpty }) {
            Text.render("waiting for the first step…", style: Style(.dim), alignment: 1,
                        in: Rect(x: inner.x, y: inner.y + inner.height / 2, width: inner.width, height: 1), into: &buffer)
        } else {
            chart.render(in: inner, into: &buffer)
        }
    }

    static func name(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }
}

import Foundation
