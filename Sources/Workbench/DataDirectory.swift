// Where user data and config live: $XDG_DATA_HOME/lathe (default ~/.local/share/lathe) and
// $XDG_CONFIG_HOME/lathe (default ~/.config/lathe). LATHE_DATA_DIR / LATHE_CONFIG_DIR override both.
import Foundation

public struct DataDirectory: Sendable, Equatable {
    public let data: URL
    public let config: URL

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        func base(_ override: String, _ xdg: String, _ fallback: String) -> URL {
            if let dir = environment[override], !dir.isEmpty { return URL(fileURLWithPath: dir) }
            if let dir = environment[xdg], dir.hasPrefix("/") { return URL(fileURLWithPath: dir).appendingPathComponent("lathe") }
            return home.appendingPathComponent(fallback).appendingPathComponent("lathe")
        }
        data = base("LATHE_DATA_DIR", "XDG_DATA_HOME", ".local/share")
        config = base("LATHE_CONFIG_DIR", "XDG_CONFIG_HOME", ".config")
    }

    public init(data: URL, config: URL) {
        self.data = data
        self.config = config
    }

    /// One JSON file per conversation.
    public var conversations: URL { data.appendingPathComponent("conversations") }
    /// Training runs started from the TUI (one directory each).
    public var runs: URL { data.appendingPathComponent("runs") }
    public var configFile: URL { config.appendingPathComponent("config.json") }
}
