// An in-memory terminal for tests and benchmarks: applies draws to a ScreenBuffer and counts what was sent.

public final class MemoryBackend: TerminalBackend {
    public private(set) var buffer: ScreenBuffer
    public private(set) var cursor: Point?
    public private(set) var flushCount = 0
    public private(set) var drawnCells = 0
    public private(set) var clearCount = 0
    public private(set) var themeName: String?
    public private(set) var suspendCount = 0
    /// What `suspend()` answers: false plays a shell without job control.
    public var canSuspend = true
    private var queued: [TerminalEvent] = []

    public init(size: Size) { buffer = ScreenBuffer(size: size) }

    public var size: Size { buffer.size }

    /// Changes the size as a terminal resize would, and queues the resize event.
    public func resize(to size: Size) {
        buffer = ScreenBuffer(size: size)
        queued.append(.resize(size))
    }

    /// Queues input for the next `pollEvents()`.
    public func enqueue(_ events: [TerminalEvent]) { queued += events }

    public func draw(_ changes: [CellChange]) {
        drawnCells += changes.count
        for change in changes {
            buffer.set(change.x, change.y, change.cell)
            if change.cell.isWide { buffer.set(change.x + 1, change.y, .continuation(change.cell.style)) }
        }
    }

    public func clear() {
        clearCount += 1
        buffer = ScreenBuffer(size: buffer.size)
    }

    public func setCursor(_ position: Point?) { cursor = position }
    public func flush() { flushCount += 1 }

    public func pollEvents() -> [TerminalEvent] {
        defer { queued = [] }
        return queued
    }

    public func apply(theme: Theme) { themeName = theme.name }
    public func suspend() -> Bool {
        guard canSuspend else { return false }
        suspendCount += 1
        return true
    }
}
