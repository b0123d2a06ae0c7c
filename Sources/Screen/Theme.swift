// Themes map style roles to terminal colours. The file format is one line per role:
//   role = foreground background [attributes...]      # colours: 0-255, "256/16" with a 16-colour fallback, or default
import Foundation

public enum TerminalColor: Hashable, Sendable {
    case terminalDefault
    case indexed(Int)
}

/// A colour with its choice for 256-colour terminals and its fallback for 16/8-colour ones.
public struct ColorSpec: Hashable, Sendable {
    public var color256: TerminalColor
    public var color16: TerminalColor
    public init(_ color256: TerminalColor, fallback color16: TerminalColor) {
        self.color256 = color256
        self.color16 = color16
    }
    public static let terminalDefault = ColorSpec(.terminalDefault, fallback: .terminalDefault)

    /// The colour to use on a terminal with `colors` colours (8, 16, 256...).
    public func resolved(colors: Int) -> TerminalColor {
        if colors >= 256 { return color256 }
        guard case .indexed(let n) = color16 else { return .terminalDefault }
        return .indexed(colors >= 16 ? n : n % 8)
    }
}

public struct RoleColors: Hashable, Sendable {
    public var foreground: ColorSpec
    public var background: ColorSpec
    public var attributes: Attributes
    public init(foreground: ColorSpec = .terminalDefault, background: ColorSpec = .terminalDefault,
                attributes: Attributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
}

public struct ThemeError: Error, Equatable, CustomStringConvertible {
    public let description: String
}

public struct Theme: Equatable, Sendable {
    public var name: String
    public var roles: [Role: RoleColors]

    public init(name: String, roles: [Role: RoleColors]) {
        self.name = name
        self.roles = roles
    }

    public func colors(for role: Role) -> RoleColors { roles[role] ?? roles[.text] ?? RoleColors() }

    /// No colours, only attributes, so the UI stays readable under NO_COLOR and in tests.
    public static let plain = Theme(name: "plain", roles: [
        .selection: RoleColors(attributes: .reverse), .tabActive: RoleColors(attributes: [.reverse, .bold]),
        .statusBar: RoleColors(attributes: .reverse), .title: RoleColors(attributes: .bold),
        .heading: RoleColors(attributes: .bold), .dim: RoleColors(attributes: .dim),
        .thinking: RoleColors(attributes: .dim), .error: RoleColors(attributes: .bold),
        .warning: RoleColors(attributes: .bold), .borderFocused: RoleColors(attributes: .bold),
    ])

    /// Parses a theme file; unknown roles and malformed lines are errors naming the line.
    public static func parse(name: String, text: String) throws -> Theme {
        var roles: [Role: RoleColors] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let where_ = "theme '\(name)' line \(index + 1)"
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ThemeError(description: "\(where_): expected 'role = fg bg [attrs]'") }
            let roleName = parts[0].trimmingCharacters(in: .whitespaces)
            guard let role = Role(rawValue: roleName) else {
                throw ThemeError(description: "\(where_): unknown role '\(roleName)'")
            }
            let words = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.count >= 2 else { throw ThemeError(description: "\(where_): expected a foreground and a background") }
            var attributes: Attributes = []
            for word in words.dropFirst(2) {
                guard let a = attributeNames[word] else {
                    throw ThemeError(description: "\(where_): unknown attribute '\(word)'")
                }
                attributes.insert(a)
            }
            roles[role] = RoleColors(foreground: try parseColor(words[0], where_), background: try parseColor(words[1], where_),
                                     attributes: attributes)
        }
        return Theme(name: name, roles: roles)
    }

    /// Loads `<directory>/<name>.theme`.
    public static func load(named name: String, from directory: URL) throws -> Theme {
        let url = directory.appendingPathComponent("\(name).theme")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ThemeError(description: "theme file '\(url.path)' could not be read")
        }
        return try parse(name: name, text: text)
    }

    private static let attributeNames: [String: Attributes] = [
        "bold": .bold, "dim": .dim, "italic": .italic, "underline": .underline, "reverse": .reverse,
    ]

    private static func parseColor(_ word: String, _ where_: String) throws -> ColorSpec {
        if word == "default" { return .terminalDefault }
        let halves = word.split(separator: "/").map { Int($0) }
        guard let first = halves.first, let c256 = first, (0...255).contains(c256) else {
            throw ThemeError(description: "\(where_): colour '\(word)' must be 0-255, N/M or default")
        }
        var c16 = c256 < 16 ? c256 : 7
        if halves.count == 2 {
            guard let fallback = halves[1], (0...15).contains(fallback) else {
                throw ThemeError(description: "\(where_): fallback in '\(word)' must be 0-15")
            }
            c16 = fallback
        }
        return ColorSpec(.indexed(c256), fallback: .indexed(c16))
    }
}
