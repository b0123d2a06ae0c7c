// The server section of the Metrics pane: `s` starts serving the loaded model over the OpenAI-compatible
// API (or stops it); while it runs, requests, queue, active slots, throughput and KV use update live.
import Bus
import Screen

public struct ServerPaneState: Sendable, Equatable {
    public enum Phase: Sendable, Equatable { case stopped, starting, running, stopping }
    public static let historyLength = 120

    public var phase: Phase = .stopped
    public var settings = ServerSettings()
    public var url: String?
    public var model: String?
    public var status = ServerStatus()
    /// Aggregate generated tokens/s, one value per status sample.
    public var throughput: [Double] = []
    public var lastError: String?
    public init() {}
}

/// `s` in the Metrics pane.
func toggleServer(_ state: inout AppState) -> [Effect] {
    var server = state.metrics.server
    defer { state.metrics.server = server }
    switch server.phase {
    case .stopped:
        guard let model = state.models.loaded else {
            server.lastError = "load a model first (Models pane, Alt-2): the server serves the loaded model"
            return []
        }
        server.phase = .starting
        server.lastError = nil
        server.throughput = []
        return [.server(.start(modelPath: model.path, server.settings))]
    case .running, .starting:
        server.phase = .stopping
        return [.server(.stop)]
    case .stopping:
        return []
    }
}

func reduceServerEvent(_ server: inout ServerPaneState, _ event: ServerEvent) {
    switch event {
    case .starting(let model):
        server.phase = .starting
        server.model = model
    case .started(let url, let model):
        server.phase = .running
        server.url = url
        server.model = model
        server.status = ServerStatus()
    case .status(let status):
        guard server.phase == .running else { return }
        server.status = status
        server.throughput.append(status.tokensPerSecond)
        if server.throughput.count > ServerPaneState.historyLength { server.throughput.removeFirst() }
    case .stopped:
        server.phase = .stopped
        server.url = nil
    case .failed(let message):
        server.phase = .stopped
        server.url = nil
        server.lastError = message
    }
}

enum ServerPaneView {
    /// Rows the section gets for a body this tall: a bordered block with a status line, a figures line and
    /// (when there is room) a throughput sparkline; one plain line in a small terminal.
    static func height(for bodyHeight: Int) -> Int {
        bodyHeight >= 30 ? 5 : bodyHeight >= 16 ? 4 : bodyHeight >= 8 ? 1 : 0
    }

    static func render(_ server: ServerPaneState, in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        let block = Block(title: "OpenAI-compatible server")
        let bordered = rect.height >= 3 && rect.width >= 20
        if bordered { block.render(in: rect, into: &buffer) }
        let inner = (bordered ? block.inner(of: rect) : rect).inset(left: 1)
        var lines: [StyledLine] = []
        let s = server.settings
        switch server.phase {
        case .stopped:
            lines.append(StyledLine([Span("stopped", Style(.dim)),
                                     Span(" · s serves the loaded model on \(s.host):\(s.port)/v1 "
                                          + "(\(s.parallel) slots × \(s.contextLength))")]))
        case .starting:
            lines.append(StyledLine([Span("starting", Style(.warning)), Span("  \(server.model ?? "")")]))
        case .stopping:
            lines.append(StyledLine([Span("stopping", Style(.warning)), Span("  \(server.url ?? "")")]))
        case .running:
            let st = server.status
            let address = (server.url ?? "").replacingOccurrences(of: "http://", with: "")
            lines.append(StyledLine([Span("● serving", Style(.success)),
                                     Span(" \(address)/v1 · \(server.model ?? "") · s stops")]))
            let kv = st.kvCapacity > 0 ? Int((Double(st.kvUsed) / Double(st.kvCapacity) * 100).rounded()) : 0
            lines.append(StyledLine(
                "req \(st.requests) (\(st.failedRequests) err) · active \(st.activeSequences)/\(st.slots) · "
                    + "queue \(st.waiting) · \(Format.rate(st.tokensPerSecond)) tok/s · KV \(kv)% · "
                    + "TTFT \(Int((st.lastTimeToFirstToken * 1000).rounded())) ms"))
        }
        if let error = server.lastError { lines.append(StyledLine(error, Style(.error))) }
        let (text, chart) = inner.splitTop(min(inner.height, lines.count))
        Paragraph(lines).render(in: text, into: &buffer)
        if server.phase == .running, !chart.isEmpty, !server.throughput.isEmpty {
            Sparkline(values: server.throughput).render(in: chart, into: &buffer)
        }
    }
}
