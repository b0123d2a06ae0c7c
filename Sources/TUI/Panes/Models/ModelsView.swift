// Models pane: local models and the selected one's facts on top; the Hugging Face Hub browser (search field,
// results, the chosen repository's GGUF files by quantization with size and the RAM they need here) in the
// middle; the download queue with progress bars at the bottom. Small terminals show the focused section only.
import Bus
import Screen

enum ModelsView {
    struct Areas {
        var local: Rect
        var facts: Rect
        var hub: Rect
        var downloads: Rect
        var compact: Bool
    }

    static func areas(_ state: AppState, in body: Rect) -> Areas {
        let empty = Rect(x: body.x, y: body.y, width: 0, height: 0)
        guard body.height >= 12, body.width >= 40 else {
            return Areas(local: body, facts: empty, hub: body, downloads: body, compact: true)
        }
        let downloadRows = min(max(1, state.models.downloads.count), 4) + 2
        let (top, rest) = body.splitTop(max(7, (body.height - downloadRows) / 2))
        let (hub, downloads) = rest.splitBottom(downloadRows)
        let (local, facts) = top.width >= 60 ? top.splitLeft(top.width * 2 / 5) : (top, empty)
        return Areas(local: local, facts: facts, hub: hub, downloads: downloads, compact: false)
    }

    /// Draws the pane; returns the cursor position when the search field has focus.
    @discardableResult
    static func render(_ state: AppState, in body: Rect, into buffer: inout ScreenBuffer) -> Point? {
        let models = state.models
        let a = areas(state, in: body)
        if a.compact {
            switch models.focus {
            case .local: return renderLocal(models, in: a.local, bordered: false, into: &buffer)
            case .search, .results, .files: return HubView.render(models, in: a.hub, bordered: false, into: &buffer)
            case .downloads: DownloadsView.render(models, in: a.downloads, bordered: false, into: &buffer)
            }
            return nil
        }
        let endpointCursor = renderLocal(models, in: a.local, bordered: true, into: &buffer)
        if !a.facts.isEmpty { renderFacts(models, in: a.facts, into: &buffer) }
        let cursor = HubView.render(models, in: a.hub, bordered: true, into: &buffer)
        DownloadsView.render(models, in: a.downloads, bordered: true, into: &buffer)
        return endpointCursor ?? cursor
    }

    static func border(_ focused: Bool) -> Style { Style(focused ? .borderFocused : .border) }

    /// Draws the local models with the chat's backend on top; returns the cursor while the endpoint is edited.
    private static func renderLocal(_ models: ModelsState, in rect: Rect, bordered: Bool,
                                    into buffer: inout ScreenBuffer) -> Point? {
        let block = Block(title: "Local models", style: border(models.focus == .local))
        if bordered { block.render(in: rect, into: &buffer) }
        var inner = bordered ? block.inner(of: rect) : rect
        if let field = models.endpointField, !inner.isEmpty {
            let (line, rest) = inner.splitTop(min(2, inner.height))
            let label = "Remote: "
            Text.render(label, style: Style(.accent, .bold), in: line, into: &buffer)
            let input = Rect(x: line.x + label.count, y: line.y, width: max(0, line.width - label.count), height: 1)
            let cursor = TextInput(state: field, placeholder: "http://host:port [model]").render(in: input, into: &buffer)
            if line.height > 1 {
                Text.render("URL [model] · Enter uses it (empty: local) · Esc cancels · API key: --api-key or LATHE_API_KEY", style: Style(.dim),
                            in: Rect(x: line.x, y: line.y + 1, width: line.width, height: 1), into: &buffer)
            }
            inner = rest
            renderLocalList(models, in: inner, bordered: bordered, into: &buffer)
            return cursor
        }
        if let connecting = models.connecting {
            let (line, rest) = inner.splitTop(min(1, inner.height))
            Text.render("connecting to \(connecting)…", style: Style(.dim), in: line, into: &buffer)
            inner = rest
        } else if let remote = models.remote {
            let (line, rest) = inner.splitTop(min(2, inner.height))
            Paragraph([StyledLine([Span("⇄ chat uses remote ", Style(.accent)), Span(remote)])]).render(in: line, into: &buffer)
            inner = rest
        }
        renderLocalList(models, in: inner, bordered: bordered, into: &buffer)
        return nil
    }

    private static func renderLocalList(_ models: ModelsState, in rect: Rect, bordered: Bool,
                                        into buffer: inout ScreenBuffer) {
        var inner = rect
        if let loading = models.loading {
            let (rest, bar) = inner.splitBottom(1)
            let name = loading.path.split(separator: "/").last.map(String.init) ?? loading.path
            Gauge(fraction: loading.fraction, label: "loading \(name) \(Int(loading.fraction * 100))%")
                .render(in: bar, into: &buffer)
            inner = rest
        }
        if models.available.isEmpty {
            Paragraph("No .gguf files found. Press / to search the Hub, or put models in the models directory "
                      + "(models/, --models-dir or LATHE_MODELS_DIR) and press r.", style: Style(.dim))
                .render(in: inner, into: &buffer)
        } else {
            let items = models.available.map { facts -> StyledLine in
                let loaded = models.loaded?.path == facts.path
                return StyledLine([Span(loaded ? "● " : "  ", Style(.success)), Span(facts.name)])
            }
            var list = ListState(selected: models.list.selected)
            ListView(items: items, showSelection: models.focus == .local || !bordered).render(in: inner, into: &buffer, state: &list)
        }
    }

    private static func renderFacts(_ models: ModelsState, in rect: Rect, into buffer: inout ScreenBuffer) {
        let block = Block(title: "Facts")
        block.render(in: rect, into: &buffer)
        let inner = block.inner(of: rect).inset(left: 1)
        var lines: [StyledLine] = []
        if let error = models.lastError { lines.append(StyledLine(error, Style(.error))) }
        if models.available.indices.contains(models.list.selected) {
            let f = models.available[models.list.selected]
            let status = models.loaded?.path == f.path ? "loaded" : "not loaded · Enter loads"
            let rows: [(String, String)] = [
                ("Status", status), ("Architecture", f.architecture), ("Parameters", Format.count(f.parameters)),
                ("File size", Format.bytes(f.fileSize)), ("Quantization", f.quantization),
                ("Context length", "\(f.contextLength)"), ("Vocabulary", "\(f.vocabularySize)"),
                ("Layers", "\(f.layerCount)"), ("Embedding", "\(f.embeddingLength)"), ("Heads", "\(f.headCount)"),
                ("Chat template", f.hasChatTemplate ? "yes" : "no"), ("Path", f.path),
            ]
            lines += rows.map { StyledLine([Span(pad($0.0, 16), Style(.dim)), Span($0.1)]) }
        }
        Paragraph(lines).render(in: inner, into: &buffer)
    }

    static func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
    static func leftPad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
}

/// The Hub browser: search field, results and the selected repository's files.
enum HubView {
    static func render(_ models: ModelsState, in rect: Rect, bordered: Bool, into buffer: inout ScreenBuffer) -> Point? {
        let hub = models.hub
        let focused = [.search, .results, .files].contains(models.focus)
        let block = Block(title: "Hugging Face Hub", style: ModelsView.border(focused))
        if bordered { block.render(in: rect, into: &buffer) }
        let inner = bordered ? block.inner(of: rect).inset(left: 1, right: 1) : rect
        guard !inner.isEmpty else { return nil }
        // Compact mode shows only the focused part.
        if !bordered, models.focus == .results {
            renderResults(hub, focused: true, in: inner, into: &buffer)
            return nil
        }
        if !bordered, models.focus == .files {
            renderFiles(hub, focused: true, in: inner, into: &buffer)
            return nil
        }
        let (searchRow, rest) = inner.splitTop(1)
        let label = "Search "
        Text.render(label, style: Style(.accent, .bold), in: searchRow, into: &buffer)
        var status: [Span] = []
        if let query = hub.searching { status = [Span("searching '\(query)'…", Style(.dim))] }
        else if hub.listing { status = [Span("listing \(hub.repo ?? "")…", Style(.dim))] }
        else if let error = hub.error { status = [Span(error, Style(.error))] }
        let statusWidth = min(StyledLine(status).width, max(0, searchRow.width / 2))
        let (field, statusRect) = searchRow.inset(left: label.count).splitRight(statusWidth + (statusWidth > 0 ? 1 : 0))
        if statusWidth > 0 { buffer.write(StyledLine(status), x: statusRect.x + 1, y: statusRect.y, clip: statusRect) }
        let placeholder = models.focus == .search ? "model name, Enter searches" : "press / to search GGUF models"
        let cursor = TextInput(state: hub.query, placeholder: placeholder).render(in: Rect(x: field.x, y: field.y, width: field.width, height: 1), into: &buffer)
        guard rest.height > 0 else { return models.focus == .search ? cursor : nil }
        let (left, right) = rest.width >= 70 ? rest.splitLeft(rest.width * 2 / 5) : (rest, Rect(x: rest.maxX, y: rest.y, width: 0, height: 0))
        if right.isEmpty {
            if models.focus == .files { renderFiles(hub, focused: true, in: left, into: &buffer) }
            else { renderResults(hub, focused: models.focus == .results, in: left, into: &buffer) }
        } else {
            renderResults(hub, focused: models.focus == .results, in: left.inset(right: 2), into: &buffer)
            renderFiles(hub, focused: models.focus == .files, in: right, into: &buffer)
        }
        return models.focus == .search ? cursor : nil
    }

    static func renderResults(_ hub: HubBrowser, focused: Bool, in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        if hub.results.isEmpty {
            Paragraph("Results appear here; Enter on one lists its GGUF files.", style: Style(.dim)).render(in: rect, into: &buffer)
            return
        }
        let (header, list) = rect.height > 2 ? rect.splitTop(1) : (Rect(x: rect.x, y: rect.y, width: 0, height: 0), rect)
        if !header.isEmpty {
            Text.render("Repository", style: Style(.dim), in: header, into: &buffer)
            Text.render("Downloads", style: Style(.dim), alignment: 2, in: header, into: &buffer)
        }
        let items = hub.results.map { r -> StyledLine in
            let downloads = Format.count(r.downloads)
            let room = max(1, list.width - downloads.count - 1)
            let id = Text.truncate(r.id + (r.gated ? " (gated)" : ""), to: room)
            return StyledLine([Span(ModelsView.pad(id, room + 1)), Span(downloads, Style(.dim))])
        }
        var state = hub.resultList
        ListView(items: items, showSelection: focused || !hub.results.isEmpty).render(in: list, into: &buffer, state: &state)
    }

    static func renderFiles(_ hub: HubBrowser, focused: Bool, in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        guard let repo = hub.repo else {
            Paragraph("Pick a repository to see its files by quantization, with size and the memory each needs here.",
                      style: Style(.dim)).render(in: rect, into: &buffer)
            return
        }
        let (title, rest) = rect.splitTop(1)
        buffer.write(StyledLine([Span(Text.truncate(repo, to: rect.width), Style(.title, .bold))]), x: title.x, y: title.y, clip: title)
        if hub.files.isEmpty {
            if !hub.listing {
                Paragraph("No GGUF files in this repository.", style: Style(.dim)).render(in: rest, into: &buffer)
            }
            return
        }
        let (header, list) = rest.height > 2 ? rest.splitTop(1) : (Rect(x: rest.x, y: rest.y, width: 0, height: 0), rest)
        if !header.isEmpty {
            Text.render("Quant        Size    RAM here  Fit", style: Style(.dim), in: header, into: &buffer)
        }
        let items = hub.files.map { f -> StyledLine in
            let fitStyle: Style = switch f.fit {
            case .fits: Style(.success)
            case .tight: Style(.warning)
            case .tooLarge: Style(.error)
            }
            let parts = f.files.count > 1 ? " (\(f.files.count) parts)" : ""
            return StyledLine([
                Span(ModelsView.pad(f.quantization ?? "?", 8)),
                Span(ModelsView.leftPad(Format.bytes(f.size), 9)),
                Span(ModelsView.leftPad(Format.bytes(f.memoryNeeded), 12) + "  ", Style(.dim)),
                Span(ModelsView.pad(f.fit.rawValue, 10), fitStyle),
                Span(f.installed ? "✓ " : "", Style(.success)),
                Span(f.name + parts, Style(.dim)),
            ])
        }
        var state = hub.fileList
        ListView(items: items, showSelection: focused).render(in: list, into: &buffer, state: &state)
    }
}

/// The download queue: one row per download with a progress bar, bytes, speed and ETA, or its outcome.
enum DownloadsView {
    static func render(_ models: ModelsState, in rect: Rect, bordered: Bool, into buffer: inout ScreenBuffer) {
        let block = Block(title: "Downloads", style: ModelsView.border(models.focus == .downloads))
        if bordered { block.render(in: rect, into: &buffer) }
        let inner = bordered ? block.inner(of: rect).inset(left: 1, right: 1) : rect
        guard !inner.isEmpty else { return }
        if models.downloads.isEmpty {
            Text.render("No downloads. Pick a file in the Hub browser and press Enter.", style: Style(.dim), in: inner, into: &buffer)
            return
        }
        var list = models.downloadList
        list.scrollToSelection(height: inner.height)
        for row in 0..<inner.height {
            let index = list.offset + row
            guard models.downloads.indices.contains(index) else { break }
            let line = Rect(x: inner.x, y: inner.y + row, width: inner.width, height: 1)
            renderRow(models.downloads[index], selected: models.focus == .downloads && index == list.selected,
                      in: line, into: &buffer)
        }
    }

    static func renderRow(_ d: DownloadStatus, selected: Bool, in line: Rect, into buffer: inout ScreenBuffer) {
        let nameWidth = min(28, line.width / 3)
        let name = Text.truncate(d.name, to: max(0, nameWidth - 1))
        Text.render(name, style: selected ? Style(.selection) : Style(.text), in: Rect(x: line.x, y: line.y, width: nameWidth, height: 1), into: &buffer)
        let rest = line.inset(left: nameWidth)
        let figures = describe(d)
        let figuresWidth = min(figures.count, max(0, rest.width - 8))
        let (bar, text) = rest.splitRight(figuresWidth + 1)
        Gauge(fraction: d.fraction, label: "\(Int(d.fraction * 100))%",
              filledStyle: Style(isFailed(d.state) ? .error : .accent)).render(in: bar, into: &buffer)
        Text.render(" " + figures, style: style(d.state), in: text, into: &buffer)
    }

    static func describe(_ d: DownloadStatus) -> String {
        let bytes = "\(Format.bytes(d.bytes))/\(Format.bytes(d.total))"
        switch d.state {
        case .queued: return "queued · \(bytes)"
        case .running:
            var s = "\(bytes) \(Format.bytes(Int(d.bytesPerSecond)))/s"
            if let eta = d.eta { s += " ETA \(duration(eta))" }
            if d.attempt > 1 { s += " (try \(d.attempt))" }
            return s
        case .verifying: return "verifying sha256…"
        case .paused: return "paused · \(bytes) · p resumes"
        case .finished: return "installed · Enter loads"
        case .failed(let message): return "failed: \(message)"
        case .cancelled: return "cancelled"
        }
    }

    private static func isFailed(_ state: DownloadState) -> Bool {
        if case .failed = state { return true } else { return false }
    }

    private static func style(_ state: DownloadState) -> Style {
        switch state {
        case .finished: Style(.success)
        case .failed: Style(.error)
        case .paused, .cancelled, .queued: Style(.dim)
        case .running, .verifying: Style(.text)
        }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s / 60 % 60)m" : "\(s / 60):\(s % 60 < 10 ? "0" : "")\(s % 60)"
    }
}
