// Library errors become one line on stderr and exit code 1: no stack trace, no crash.
import ArgumentParser
import Foundation

enum CLIErrors {
    static func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw fail(error) }
    }

    static func fail(_ error: Error) -> Error {
        if error is ExitCode || error is CleanExit { return error }
        let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode.failure
    }
}

/// A CLI-level failure with its one-line message.
enum CLIError: Error, LocalizedError {
    case message(String)
    var errorDescription: String? { if case .message(let m) = self { return m } else { return nil } }
}
