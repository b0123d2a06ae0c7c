// Style roles: views say what a cell *is* (user text, a border, a warning); themes decide its colours.

public enum Role: String, Hashable, Sendable, CaseIterable {
    case text, dim, user, assistant, system, accent, warning, error, success, border, borderFocused, title
    case selection, code, thinking, heading, statusBar, tabActive, tabInactive, input, chart, chartAlt
}

public struct Attributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1)
    public static let dim = Attributes(rawValue: 2)
    public static let italic = Attributes(rawValue: 4)
    public static let underline = Attributes(rawValue: 8)
    public static let reverse = Attributes(rawValue: 16)
}

public struct Style: Hashable, Sendable {
    public var role: Role
    public var attributes: Attributes
    public init(_ role: Role = .text, _ attributes: Attributes = []) {
        self.role = role
        self.attributes = attributes
    }
    public static let text = Style(.text)
    public func adding(_ extra: Attributes) -> Style { Style(role, attributes.union(extra)) }
}
