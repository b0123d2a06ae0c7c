// Golden screen files: Tests/TUITests/__screens__/<name>.txt holds each row between |…| and then the
// run-length style roles per row. LATHE_RECORD_SNAPSHOTS=1 writes them; otherwise a mismatch fails with a diff.
import Foundation
import Screen
import Testing

private let screensDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("__screens__")

func snapshotText(_ buffer: ScreenBuffer) -> String {
    var out = buffer.rows.map { "|\($0)|" }
    out.append("-- styles")
    out += (0..<buffer.size.height).map { "|\(buffer.styleRuns(row: $0))|" }
    return out.joined(separator: "\n") + "\n"
}

func assertScreen(_ buffer: ScreenBuffer, matches name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let text = snapshotText(buffer)
    let url = screensDirectory.appendingPathComponent("\(name).txt")
    if ProcessInfo.processInfo.environment["LATHE_RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: screensDirectory, withIntermediateDirectories: true)
        try? text.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("missing golden \(name).txt (LATHE_RECORD_SNAPSHOTS=1 records it); it would be:\n\(text)",
                     sourceLocation: sourceLocation)
        return
    }
    if expected != text {
        Issue.record("screen \(name) differs from its golden:\n\(lineDiff(expected, text))", sourceLocation: sourceLocation)
    }
}

/// A small unified-style diff: changed lines with their line numbers.
func lineDiff(_ old: String, _ new: String) -> String {
    let a = old.split(separator: "\n", omittingEmptySubsequences: false)
    let b = new.split(separator: "\n", omittingEmptySubsequences: false)
    var out: [String] = ["--- golden", "+++ rendered"]
    for i in 0..<max(a.count, b.count) {
        let x = i < a.count ? String(a[i]) : nil, y = i < b.count ? String(b[i]) : nil
        if x != y {
            out.append("@@ line \(i + 1) @@")
            if let x { out.append("-\(x)") }
            if let y { out.append("+\(y)") }
        }
    }
    return out.joined(separator: "\n")
}
