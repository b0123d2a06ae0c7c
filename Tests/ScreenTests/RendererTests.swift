// The diffing renderer over MemoryBackend: full redraw first, then only changed cells; themes parse.
import Foundation
import Screen
import Testing

@Test func rendererSendsOnlyChangedCells() {
    let backend = MemoryBackend(size: Size(width: 5, height: 2))
    let renderer = Renderer()
    var frame = ScreenBuffer(size: backend.size)
    frame.write("hello", x: 0, y: 0)
    #expect(renderer.render(frame, cursor: nil, to: backend) == 10)
    #expect(backend.buffer.rows == ["hello", "     "])
    frame.write("J", x: 0, y: 1)
    #expect(renderer.render(frame, cursor: Point(x: 1, y: 1), to: backend) == 1)
    #expect(backend.buffer == frame)
    #expect(backend.cursor == Point(x: 1, y: 1))
    #expect(renderer.render(frame, cursor: nil, to: backend) == 0)
}

@Test func rendererSendsWideLeaderWhenOnlyItsHalfChanged() {
    let backend = MemoryBackend(size: Size(width: 4, height: 1))
    let renderer = Renderer()
    var frame = ScreenBuffer(size: backend.size)
    frame.write("ab", x: 0, y: 0)
    renderer.render(frame, cursor: nil, to: backend)
    frame.write("中", x: 1, y: 0)
    renderer.render(frame, cursor: nil, to: backend)
    #expect(backend.buffer.rows == ["a中 "])
    frame.write("xy", x: 1, y: 0)
    renderer.render(frame, cursor: nil, to: backend)
    #expect(backend.buffer.rows == ["axy "])
}

@Test func themeFilesParseAndRejectBadLines() throws {
    let theme = try Theme.parse(name: "t", text: "# comment\nuser = 75/12 default bold\ntext = 252 236\n")
    #expect(theme.colors(for: .user).foreground == ColorSpec(.indexed(75), fallback: .indexed(12)))
    #expect(theme.colors(for: .user).attributes == .bold)
    #expect(theme.colors(for: .text).foreground.resolved(colors: 16) == .indexed(7))
    #expect(theme.colors(for: .user).foreground.resolved(colors: 8) == .indexed(4))
    #expect(throws: ThemeError.self) { try Theme.parse(name: "t", text: "usr = 1 2") }
    #expect(throws: ThemeError.self) { try Theme.parse(name: "t", text: "user = 300 2") }
}

@Test func shippedThemesParseAndCoverEveryRole() throws {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes")
    for name in ["dark", "light", "high-contrast"] {
        let theme = try Theme.load(named: name, from: directory)
        for role in Role.allCases { #expect(theme.roles[role] != nil, "\(name) lacks \(role)") }
    }
}
