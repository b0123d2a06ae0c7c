// Runs blocking work (waiting for a process, polling a terminal) on a thread of its own and awaits it, so a test
// does not hold one of the Swift concurrency pool's few threads (two on a 2-core machine) while it blocks:
// tests that need the pool (actors, bus streams) then keep making progress.
import Foundation

public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        // A thread of its own: Dispatch's global queues have a width limit of their own on a small machine.
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
