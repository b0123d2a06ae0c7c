// Reads training text files; errors name the file and what was wrong with it.
import Foundation

public enum TextCorpus {
    public static func read(files: [String]) throws -> [String] {
        try files.map { path in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TrainerError.badData(path, "cannot be read")
            }
            guard !data.isEmpty else { throw TrainerError.badData(path, "is empty") }
            guard let text = String(data: data, encoding: .utf8) else {
                throw TrainerError.badData(path, "is not UTF-8 text")
            }
            return text
        }
    }
}
