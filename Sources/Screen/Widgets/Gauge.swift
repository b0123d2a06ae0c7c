// A horizontal progress bar with a centred label.

public struct Gauge: Sendable {
    public var fraction: Double
    public var label: String
    public var filledStyle: Style
    public var emptyStyle: Style

    public init(fraction: Double, label: String = "", filledStyle: Style = Style(.accent),
                emptyStyle: Style = Style(.dim)) {
        self.fraction = fraction
        self.label = label
        self.filledStyle = filledStyle
        self.emptyStyle = emptyStyle
    }

    public func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        let f = fraction.isFinite ? min(1, max(0, fraction)) : 0
        let filled = Int((Double(rect.width) * f).rounded())
        let row = Rect(x: rect.x, y: rect.y, width: rect.width, height: 1)
        for x in 0..<rect.width {
            buffer.set(rect.x + x, rect.y, x < filled ? Cell("█", style: filledStyle) : Cell("░", style: emptyStyle))
        }
        if !label.isEmpty { Text.render(label, style: Style(.text, .bold), alignment: 1, in: row, into: &buffer) }
    }
}
