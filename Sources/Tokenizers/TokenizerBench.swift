// `lathe bench tokenizer`: encode speed on ~1 MB of English (the GPL-3 text, repeated) and ~1 MB of generated
// Chinese, in tokens per second (special tokens not parsed, no BOS). Deterministic input; llama.cpp is the peer.
import Foundation

public enum TokenizerBench {
    public static let targetBytes = 1 << 20

    /// ~1 MB of English: /usr/share/common-licenses/GPL-3 repeated (a built-in paragraph if that file is absent).
    public static func englishText(bytes: Int = targetBytes) -> String {
        let source = (try? String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8))
            ?? """
            The licenses for most software and other practical works are designed to take away your freedom to share \
            and change the works. By contrast, the GNU General Public License is intended to guarantee your freedom \
            to share and change all versions of a program--to make sure it remains free software for all its users.

            """
        return repeated(source, bytes: bytes)
    }

    /// ~1 MB of Chinese: common characters and punctuation drawn by a fixed linear congruential generator.
    public static func chineseText(bytes: Int = targetBytes) -> String {
        let characters = Array("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研")
        let punctuation = Array("，，，。、；：？！")
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        var out = String()
        out.reserveCapacity(bytes + 64)
        var sentence = 0
        while out.utf8.count < bytes {
            for _ in 0..<(4 + next(12)) { out.append(characters[next(characters.count)]) }
            out.append(punctuation[next(punctuation.count)])
            sentence += 1
            if sentence % 8 == 0 { out.append("\n") }
        }
        return out
    }

    private static func repeated(_ text: String, bytes: Int) -> String {
        var out = String()
        out.reserveCapacity(bytes + text.utf8.count)
        while out.utf8.count < bytes { out += text }
        return out
    }

    /// Encodes both texts once (after a short warm-up) and reports tokens per second for each.
    public static func run(tokenizer: any Tokenizer) -> (englishTokensPerSecond: Double, chineseTokensPerSecond: Double) {
        let english = englishText(), chinese = chineseText()
        _ = tokenizer.encode(String(english.prefix(10_000)), addSpecial: false, parseSpecial: false)
        return (measure(tokenizer, english), measure(tokenizer, chinese))
    }

    private static func measure(_ tokenizer: any Tokenizer, _ text: String) -> Double {
        let clock = ContinuousClock()
        var count = 0
        let elapsed = clock.measure { count = tokenizer.encode(text, addSpecial: false, parseSpecial: false).count }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Double(count) / max(seconds, 1e-9)
    }
}
