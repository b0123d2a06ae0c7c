// Robustness: long seeded-random scripts of keys, pastes, resizes and bus events never trap in reduce or
// render, at any size (the reducer and views clamp everything).
import Bus
import Foundation
import Screen
import Testing
import TUI

private struct LCG {
    var state: UInt64
    mutating func next(_ n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }
}

private let keyPool: [Key] = [
    .enter, .altEnter, .tab, .backspace, .delete, .escape, .up, .down, .left, .right, .home, .end, .pageUp, .pageDown,
    .ctrl("r"), .ctrl("o"), .ctrl("e"), .ctrl("n"), .ctrl("l"), .ctrl("g"), .ctrl("s"), .ctrl("t"), .ctrl("p"),
    .ctrl("c"), .function(1), .function(9), .alt("1"), .alt("2"), .alt("5"), .char("d"), .char("r"), .char("n"),
    .char("p"), .char("+"), .char("-"), .char("?"), .char("中"), .char("😀"), .char("a"), .char(" "),
]

@Test(arguments: [1, 2, 3, 4]) func randomScriptsNeverTrap(seed: UInt64) {
    var rng = LCG(state: seed)
    var state = Fixture.state()
    var request: UUID?
    for step in 0..<1000 {
        let msg: Msg
        switch rng.next(10) {
        case 0: msg = .resize(Size(width: rng.next(130), height: rng.next(45)))
        case 1: msg = .paste(String(repeating: "line 日本 😀 ", count: rng.next(30)) + "\n")
        case 2: msg = .generation(.token(request: request ?? UUID(), text: ["a ", "**b** ", "<think>", "</think>", "\n```\n", "中"][rng.next(6)],
                                         stats: Fixture.stats(step)))
        case 3: msg = .generation(.finished(request: request ?? UUID(), Fixture.info))
        case 4: msg = .mouse(MouseEvent(x: rng.next(100), y: rng.next(30), kind: [.press, .scrollUp, .scrollDown][rng.next(3)]))
        case 5: msg = .model(.available(rng.next(2) == 0 ? [] : [Fixture.smol, Fixture.gemma]))
        default: msg = .key(keyPool[rng.next(keyPool.count)])
        }
        for effect in reduce(&state, msg) {
            if case .chat(.send(let r)) = effect { request = r.id }
            if effect == .quit { state.quitRequested = false }
        }
        if step % 7 == 0 { _ = screen(state) }
    }
}
