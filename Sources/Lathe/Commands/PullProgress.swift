// How `lathe pull` shows a download: a progress bar redrawn in place on a terminal; plain lines (every 10%,
// each retry, resume and verification) when stderr is a pipe or a file.
import Foundation
import Hub

final class PullProgress: @unchecked Sendable {   // called from URLSession's delegate thread; state under lock
    private let lock = NSLock()
    private let isTerminal: Bool
    private var lastDecile = 0
    private var barShown = false
    private var lastDraw = 0.0

    init(isTerminal: Bool = isatty(STDERR_FILENO) == 1) { self.isTerminal = isTerminal }

    func handle(_ event: PullEvent) {
        lock.withLock {
            switch event {
            case .alreadyInstalled(let name): line("\(name) is already installed and verified")
            case let .file(index, count, name, transfer): handle(transfer, name: count > 1 ? "\(name) (\(index + 1)/\(count))" : name)
            }
        }
    }

    private func handle(_ event: TransferEvent, name: String) {
        switch event {
        case let .requesting(offset, attempt):
            if offset == 0 { lastDecile = 0 }
            if attempt == 1 {
                line(offset > 0 ? "resuming \(name) from \(ByteFormat.string(offset))" : "downloading \(name)")
            }
        case .progress(let p):
            if isTerminal {
                let now = Date().timeIntervalSince1970
                if now - lastDraw >= 0.1 || p.bytes == p.total {
                    lastDraw = now
                    write("\r\u{1B}[K" + Self.bar(p, name: name))
                    barShown = true
                }
            } else if let total = p.total, total > 0 {
                let decile = Int(Double(p.bytes) / Double(total) * 10)
                if decile > lastDecile {
                    lastDecile = decile
                    line("  \(decile * 10)% \(Self.figures(p))")
                }
            }
        case let .retrying(attempt, maxAttempts, reason, delay):
            line("retrying (attempt \(attempt) of \(maxAttempts)) in \(String(format: "%.1f", delay)) s: \(reason)")
        case .verified(let sha):
            line("verified sha256 \(sha)")
        }
    }

    private func line(_ text: String) {
        if barShown {
            write("\r\u{1B}[K")
            barShown = false
        }
        write(text + "\n")
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    static func figures(_ p: TransferProgress) -> String {
        var s = ByteFormat.string(p.bytes)
        if let total = p.total { s += " / \(ByteFormat.string(total))" }
        if p.bytesPerSecond > 0 { s += "  \(ByteFormat.string(Int64(p.bytesPerSecond)))/s" }
        if let eta = p.etaSeconds { s += "  ETA \(duration(eta))" }
        return s
    }

    static func bar(_ p: TransferProgress, name: String, width: Int = 24) -> String {
        let fraction = p.total.map { $0 > 0 ? min(1, Double(p.bytes) / Double($0)) : 0 } ?? 0
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let short = name.count > 32 ? String(name.prefix(31)) + "…" : name
        return "\(short) \(bar) \(String(format: "%3d", Int(fraction * 100)))%  \(figures(p))"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
