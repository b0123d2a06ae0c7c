// User settings kept between runs (config.json under the config directory): theme, last model, frame rate.
import Foundation

public struct AppConfig: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version = AppConfig.currentVersion
    /// Theme name (dark, light, high-contrast).
    public var theme: String?
    /// Path of the model loaded last; loaded again at start.
    public var lastModel: String?
    public var framesPerSecond: Int?

    public init(theme: String? = nil, lastModel: String? = nil, framesPerSecond: Int? = nil) {
        self.theme = theme
        self.lastModel = lastModel
        self.framesPerSecond = framesPerSecond
    }

    /// Reads the config; a missing file gives the defaults, a newer version or bad JSON is an error.
    public static func load(from url: URL) throws -> AppConfig {
        guard FileManager.default.fileExists(atPath: url.path) else { return AppConfig() }
        do {
            let data = try Data(contentsOf: url)
            let config = try JSONDecoder().decode(AppConfig.self, from: data)
            guard config.version <= currentVersion else {
                throw WorkbenchError.unsupportedVersion(path: url.path, version: config.version, supported: currentVersion)
            }
            return config
        } catch let error as WorkbenchError {
            throw error
        } catch {
            throw WorkbenchError.read(path: url.path, reason: "not a valid config: \(error.localizedDescription)")
        }
    }

    public func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: url)
    }
}
