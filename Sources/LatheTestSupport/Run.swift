// Runs a process to completion and captures its output (for CLI tests that run the real `lathe`).
import Foundation

public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public enum Run {
    public static func process(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                               stdin: String? = nil, currentDirectory: URL? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        let box = OutputBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { box.setErr(err.fileHandleForReading.readDataToEndOfFile()); group.leave() }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: stdoutData, as: UTF8.self),
                             stderr: String(decoding: box.err, as: UTF8.self))
    }

    /// Runs the `lathe` binary.
    public static func lathe(_ arguments: [String], environment: [String: String]? = nil,
                             stdin: String? = nil) throws -> ProcessResult {
        try process(TestPaths.latheBinary, arguments, environment: environment, stdin: stdin,
                    currentDirectory: TestPaths.packageRoot)
    }
}

private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func setErr(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    var err: Data { lock.lock(); defer { lock.unlock() }; return data }
}
