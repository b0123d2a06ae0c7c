// Models pane: local GGUF files on the left, the selected model's facts on the right, a load gauge, and
// the place where Hub search and downloads will go.
import Bus
import Screen

enum ModelsView {
    static func render(_ state: AppState, in body: Rect, into buffer: inout ScreenBuffer) {
        let models = state.models
        let bordered = body.height >= 8 && body.width >= 30
        let (top, hubArea) = body.height >= 14 ? body.splitBottom(4) : (body, Rect(x: 0, y: 0, width: 0, height: 0))
        let (listRect, factsRect) = top.width >= 60 ? top.splitLeft(top.width * 2 / 5) : (top, Rect(x: 0, y: 0, width: 0, height: 0))
        let listBlock = Block(title: "Local models", style: Style(.borderFocused))
        if bordered { listBlock.render(in: listRect, into: &buffer) }
        var inner = bordered ? listBlock.inner(of: listRect) : listRect
        if let remote = models.remote {
            let (line, rest) = inner.splitTop(min(2, inner.height))
            Paragraph([StyledLine([Span("⇄ chat uses remote ", Style(.accent)), Span(remote)])]).render(in: line, into: &buffer)
            inner = rest
        }
        if let loading = models.loading {
            let (rest, bar) = inner.splitBottom(1)
            let name = loading.path.split(separator: "/").last.map(String.init) ?? loading.path
            Gauge(fraction: loading.fraction, label: "loading \(name) \(Int(loading.fraction * 100))%")
                .render(in: bar, into: &buffer)
            inner = rest
        }
        if models.available.isEmpty {
            Paragraph("No .gguf files found. Put models in the models directory (models/, --models-dir or "
                      + "LATHE_MODELS_DIR) and press r.", style: Style(.dim)).render(in: inner, into: &buffer)
        } else {
            let items = models.available.map { facts -> StyledLine in
                let loaded = models.loaded?.path == facts.path
                return StyledLine([Span(loaded ? "● " : "  ", Style(.success)), Span(facts.name)])
            }
            var list = ListState(selected: models.list.selected)
            ListView(items: items).render(in: inner, into: &buffer, state: &list)
        }
        if !factsRect.isEmpty { renderFacts(models, in: factsRect, bordered: bordered, into: &buffer) }
        if !hubArea.isEmpty {
            let hub = Block(title: "Hugging Face Hub")
            hub.render(in: hubArea, into: &buffer)
            Paragraph("Search and downloads arrive with the Hub issue; until then `lathe pull` fetches the default models.",
                      style: Style(.dim)).render(in: hub.inner(of: hubArea).inset(left: 1), into: &buffer)
        }
    }

    private static func renderFacts(_ models: ModelsState, in rect: Rect, bordered: Bool,
                                    into buffer: inout ScreenBuffer) {
        let block = Block(title: "Facts")
        if bordered { block.render(in: rect, into: &buffer) }
        let inner = (bordered ? block.inner(of: rect) : rect).inset(left: 1)
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

    private static func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
}
