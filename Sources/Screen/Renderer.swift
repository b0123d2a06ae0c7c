// The diffing renderer: compares the next frame with the last one sent and draws only changed cells.
// A size change (or `invalidate()`) clears the backend and sends every cell.

public final class Renderer {
    private var previous: ScreenBuffer?

    public init() {}

    /// Forgets the last frame so the next render is a full redraw (after resize, suspend, theme change).
    public func invalidate() { previous = nil }

    /// Sends the cells of `next` that differ from the last frame, then the cursor, then flushes.
    /// Returns the number of cells sent.
    @discardableResult
    public func render(_ next: ScreenBuffer, cursor: Point?, to backend: some TerminalBackend) -> Int {
        var changes: [CellChange] = []
        if let previous, previous.size == next.size {
            changes = Self.diff(previous, next)
        } else {
            backend.clear()
            changes.reserveCapacity(next.cells.count)
            for y in 0..<next.size.height {
                for x in 0..<next.size.width where !next[x, y].isContinuation {
                    changes.append(CellChange(x: x, y: y, cell: next[x, y]))
                }
            }
        }
        if !changes.isEmpty { backend.draw(changes) }
        backend.setCursor(cursor)
        backend.flush()
        previous = next
        return changes.count
    }

    /// Changed cells, leaders only: a changed continuation sends its wide leader instead.
    static func diff(_ old: ScreenBuffer, _ new: ScreenBuffer) -> [CellChange] {
        var changes: [CellChange] = []
        let width = new.size.width
        let a = old.cells, b = new.cells
        var i = 0
        while i < b.count {
            if a[i] != b[i] {
                let x = i % width, y = i / width
                if b[i].isContinuation {
                    if x > 0, changes.last?.x != x - 1 || changes.last?.y != y {
                        changes.append(CellChange(x: x - 1, y: y, cell: b[i - 1]))
                    }
                } else {
                    changes.append(CellChange(x: x, y: y, cell: b[i]))
                }
            }
            i += 1
        }
        return changes
    }
}
