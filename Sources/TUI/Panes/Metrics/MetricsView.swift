// Metrics pane: braille charts of generation and prompt tokens/s, sparklines of TTFT, memory, CPU, KV fill
// and bus rate, a table of recent generations, and the server section on top (ServerPane.swift).
import Bus
import Screen

enum MetricsView {
    static func render(_ state: AppState, in body: Rect, into buffer: inout ScreenBuffer) {
        let samples = state.metrics.samples
        let serverHeight = ServerPaneView.height(for: body.height)
        let (serverRect, body) = body.splitTop(serverHeight)
        ServerPaneView.render(state.metrics.server, in: serverRect, into: &buffer)
        let tableHeight = body.height >= 20 ? min(10, 2 + state.metrics.generations.count + 1) : 0
        let (charts, tableRect) = body.splitBottom(tableHeight)
        let (big, small) = charts.splitTop(charts.height >= 12 ? charts.height / 2 : 0)
        let (left, right) = big.splitLeft(big.width / 2)
        chart("Generation tok/s", samples.map(\.generationTokensPerSecond), unit: "", line: true,
              in: left, into: &buffer)
        chart("Prompt tok/s", samples.map(\.promptTokensPerSecond), unit: "", line: true, in: right, into: &buffer)
        let series: [(String, [Double], String)] = [
            ("TTFT ms", samples.map { $0.timeToFirstToken * 1000 }, ""),
            ("RSS MiB", samples.map { Double($0.residentBytes) / 1_048_576 }, ""),
            ("CPU %", samples.map(\.cpuPercent), ""),
            ("KV fill %", samples.map { $0.kvFill * 100 }, ""),
            ("Bus msg/s", samples.map(\.busMessagesPerSecond), ""),
        ]
        let perRow = small.height >= 3 * series.count ? 1 : 2
        let rows = (series.count + perRow - 1) / perRow
        let rowHeight = max(1, small.height / max(1, rows))
        for (i, s) in series.enumerated() {
            let r = i / perRow, c = i % perRow
            let colWidth = small.width / perRow
            let rect = Rect(x: small.x + c * colWidth, y: small.y + r * rowHeight, width: colWidth,
                            height: r == rows - 1 ? small.maxY - (small.y + r * rowHeight) : rowHeight)
            chart(s.0, s.1, unit: s.2, line: false, in: rect.intersection(small), into: &buffer)
        }
        if tableHeight > 0 { renderTable(state.metrics.generations, in: tableRect, into: &buffer) }
    }

    private static func chart(_ title: String, _ values: [Double], unit: String, line: Bool, in rect: Rect,
                              into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        let now = values.last.map(Format.rate) ?? "–"
        let peak = values.max().map(Format.rate) ?? "–"
        let label = "\(title)  now \(now)  max \(peak)"
        if rect.height >= 3 && rect.width >= 10 {
            let block = Block(title: label)
            block.render(in: rect, into: &buffer)
            let inner = block.inner(of: rect)
            if line || inner.height >= 2 {
                LineChart(values: values, style: Style(line ? .chart : .chartAlt)).render(in: inner, into: &buffer)
            } else {
                Sparkline(values: values).render(in: inner, into: &buffer)
            }
        } else {
            Text.render(label, style: Style(.title), in: rect, into: &buffer)
            if rect.height > 1 { Sparkline(values: values).render(in: rect.inset(top: 1), into: &buffer) }
        }
    }

    private static func renderTable(_ generations: [CompletionInfo], in rect: Rect, into buffer: inout ScreenBuffer) {
        let block = Block(title: "Recent generations")
        block.render(in: rect, into: &buffer)
        let inner = block.inner(of: rect).inset(left: 1)
        let columns: [Table.Column] = [
            .init("#", width: 4, alignRight: true), .init("prompt tok", width: 10, alignRight: true),
            .init("gen tok", width: 8, alignRight: true), .init("prompt t/s", width: 10, alignRight: true),
            .init("gen t/s", width: 8, alignRight: true), .init("TTFT ms", width: 8, alignRight: true),
            .init("stop", width: 14),
        ]
        let count = generations.count
        let rows = generations.enumerated().reversed().map { i, g in
            ["\(i + 1)", "\(g.promptTokens)", "\(g.generatedTokens)", Format.rate(g.promptTokensPerSecond),
             Format.rate(g.tokensPerSecond), "\(Int((g.timeToFirstToken * 1000).rounded()))", g.stopReason.rawValue]
        }
        if count == 0 {
            Text.render("No generations yet: chat in the Chat pane (Alt-1).", style: Style(.dim), in: inner, into: &buffer)
        } else {
            Table(columns: columns, rows: rows).render(in: inner, into: &buffer)
        }
    }
}
