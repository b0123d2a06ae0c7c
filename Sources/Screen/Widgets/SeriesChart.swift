// A braille chart of several (x, y) series on shared axes: x from 0 to the largest x (or a given span), y
// between the smallest and largest finite y (or given bounds). Each cell holds 2×4 dots; a cell takes the
// style of the last series drawn in it. Used for loss curves (train and eval over steps, runs compared).

public struct SeriesChart: Sendable {
    public struct Series: Sendable, Equatable {
        public var points: [(x: Double, y: Double)]
        public var style: Style

        public init(points: [(x: Double, y: Double)], style: Style) {
            self.points = points
            self.style = style
        }

        public static func == (a: Series, b: Series) -> Bool {
            a.style == b.style && a.points.count == b.points.count
                && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
        }
    }

    public var series: [Series]
    public var xSpan: Double?
    public var yRange: ClosedRange<Double>?

    public init(series: [Series], xSpan: Double? = nil, yRange: ClosedRange<Double>? = nil) {
        self.series = series
        self.xSpan = xSpan
        self.yRange = yRange
    }

    private static let dotBits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// The y bounds the chart uses: `yRange`, else the data's (widened when flat).
    public var bounds: ClosedRange<Double>? {
        if let yRange { return yRange }
        let ys = series.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        guard let low = ys.min(), let high = ys.max() else { return nil }
        return low == high ? (low - 0.5)...(high + 0.5) : low...high
    }

    public func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty, let bounds else { return }
        let dotsWide = rect.width * 2, dotsHigh = rect.height * 4
        let span = xSpan ?? series.flatMap { $0.points.map(\.x) }.filter(\.isFinite).max() ?? 1
        let width = max(span, 1e-9), height = max(bounds.upperBound - bounds.lowerBound, 1e-12)
        var bits = [UInt32](repeating: 0, count: rect.width * rect.height)
        var styles = [Style?](repeating: nil, count: rect.width * rect.height)
        for s in series {
            var previous: (Int, Int)?
            for p in s.points where p.x.isFinite && p.y.isFinite {
                let dx = min(dotsWide - 1, max(0, Int((p.x / width * Double(dotsWide - 1)).rounded())))
                let f = (min(max(p.y, bounds.lowerBound), bounds.upperBound) - bounds.lowerBound) / height
                let dy = dotsHigh - 1 - Int((f * Double(dotsHigh - 1)).rounded())
                // Join consecutive points with a straight run of dots so the line stays connected.
                let (x0, y0) = previous ?? (dx, dy)
                let steps = max(abs(dx - x0), abs(dy - y0), 1)
                for i in 0...steps {
                    let x = x0 + (dx - x0) * i / steps, y = y0 + (dy - y0) * i / steps
                    let cell = (y / 4) * rect.width + x / 2
                    bits[cell] |= Self.dotBits[x % 2][y % 4]
                    styles[cell] = s.style
                }
                previous = (dx, dy)
            }
        }
        for row in 0..<rect.height {
            for col in 0..<rect.width where bits[row * rect.width + col] != 0 {
                let scalar = Unicode.Scalar(0x2800 + bits[row * rect.width + col])!
                buffer.set(rect.x + col, rect.y + row, Cell(Character(scalar), style: styles[row * rect.width + col]!))
            }
        }
    }
}
