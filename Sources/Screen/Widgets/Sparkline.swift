// One-row bar chart of the newest values (right-aligned), scaled to the largest shown or a given maximum.

public struct Sparkline: Sendable {
    public static let bars: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    public var values: [Double]
    public var maximum: Double?
    public var style: Style

    public init(values: [Double], maximum: Double? = nil, style: Style = Style(.chart)) {
        self.values = values
        self.maximum = maximum
        self.style = style
    }

    public func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        let shown = values.suffix(rect.width)
        let candidate = maximum ?? shown.filter(\.isFinite).max() ?? 0
        let top = candidate.isFinite ? candidate : 0
        let x0 = rect.maxX - shown.count
        for (i, v) in shown.enumerated() {
            let level = top > 0 && v.isFinite ? Int((min(max(v, 0), top) / top * 8).rounded()) : 0
            buffer.set(x0 + i, rect.y, Cell(Self.bars[level], style: style))
        }
    }
}
