// Errors the Trainer reports: each message names the file or field and what was expected.

public enum TrainerError: Error, CustomStringConvertible, Equatable {
    case badConfig(String, String)
    case badData(String, String)
    case badCheckpoint(String, String)
    case noCheckpoint(String)
    case io(String, String)

    public var description: String {
        switch self {
        case .badConfig(let field, let expected): "bad training config: \(field) must be \(expected)"
        case .badData(let file, let problem): "\(file): \(problem)"
        case .badCheckpoint(let file, let problem): "checkpoint \(file): \(problem)"
        case .noCheckpoint(let dir): "\(dir): no usable checkpoint (every one is missing or corrupt)"
        case .io(let path, let problem): "\(path): \(problem)"
        }
    }
}
