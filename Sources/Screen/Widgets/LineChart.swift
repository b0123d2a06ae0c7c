// A braille line chart: each cell holds 2×4 dots, so a w×h rect plots 2w×4h points of the newest values.

public struct LineChart: Sendable {
    public var values: [Double]
    public var maximum: Double?
    public var style: Style

    public init(values: [Double], maximum: Double? = nil, style: Style = Style(.chart)) {
        self.values = values
        self.maximum = maximum
        self.style = style
    }

    /// Braille dot bits for (column 0/1, row 0...3), as in U+2800 + bits.
    private static let dotBits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    public func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        let dotsWide = rect.width * 2, dotsHigh = rect.height * 4
        let shown = Array(values.suffix(dotsWide))
        guard !shown.isEmpty else { return }
        let candidate = maximum ?? shown.filter(\.isFinite).max() ?? 1
        let top = candidate.isFinite ? max(candidate, 1e-9) : 1
        var bits = [UInt32](repeating: 0, count: rect.width * rect.height)
        func plot(_ dx: Int, _ dy: Int) {
            guard dx >= 0, dx < dotsWide, dy >= 0, dy < dotsHigh else { return }
            bits[(dy / 4) * rect.width + dx / 2] |= Self.dotBits[dx % 2][dy % 4]
        }
        func level(_ v: Double) -> Int {
            let f = v.isFinite ? min(max(v, 0), top) / top : 0
            return dotsHigh - 1 - Int((f * Double(dotsHigh - 1)).rounded())
        }
        let x0 = dotsWide - shown.count
        var previous: Int?
        for (i, v) in shown.enumerated() {
            let y = level(v)
            if let p = previous {
                for yy in min(p, y)...max(p, y) { plot(x0 + i, yy) }    // join steps so the line stays connected
            } else {
                plot(x0 + i, y)
            }
            previous = y
        }
        for row in 0..<rect.height {
            for col in 0..<rect.width where bits[row * rect.width + col] != 0 {
                let scalar = Unicode.Scalar(0x2800 + bits[row * rect.width + col])!
                buffer.set(rect.x + col, rect.y + row, Cell(Character(scalar), style: style))
            }
        }
    }
}
