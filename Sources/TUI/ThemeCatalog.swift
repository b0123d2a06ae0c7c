// Finding and loading the shipped themes (themes/*.theme); NO_COLOR selects the colourless plain theme.
import Foundation
import Screen

public enum ThemeCatalog {
    public static let names = ["dark", "light", "high-contrast"]

    /// The themes directory: $LATHE_THEMES_DIR, ./themes, or a themes folder above the executable.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["LATHE_THEMES_DIR"] { return URL(fileURLWithPath: dir) }
        let fm = FileManager.default
        let cwd = URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("themes")
        if fm.fileExists(atPath: cwd.appendingPathComponent("dark.theme").path) { return cwd }
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("themes")
            if fm.fileExists(atPath: candidate.appendingPathComponent("dark.theme").path) { return candidate }
        }
        return cwd
    }

    /// The shipped themes in cycling order (a theme that fails to load is skipped); `Theme.plain` when
    /// NO_COLOR is set or nothing loads.
    public static func load(from directory: URL? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> [Theme] {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return [.plain] }
        let dir = directory ?? self.directory(environment: environment)
        let themes = names.compactMap { try? Theme.load(named: $0, from: dir) }
        return themes.isEmpty ? [.plain] : themes
    }

    /// Moves `preferred` (from a flag or config) to the front when it is one of `themes`.
    public static func ordered(_ themes: [Theme], preferring preferred: String?) -> [Theme] {
        guard let preferred, let i = themes.firstIndex(where: { $0.name == preferred }) else { return themes }
        var out = themes
        out.insert(out.remove(at: i), at: 0)
        return out
    }
}
