// A persistent fork-join pool for many tiny parallel loops (a 135M model runs hundreds of matmuls per
// token, so per-call overhead must be ~1 µs): workers spin briefly after each job, then block.
// The calling thread takes part in every job and never waits for a worker that has not claimed a task,
// so a worker that is asleep or descheduled (another process holding its core) costs nothing.
import CKernels
import Foundation
import Synchronization

public final class ThreadPool: @unchecked Sendable {  // `body` is published through `state`
    public let threadCount: Int
    /// How long an idle worker spins before blocking (iterations of a `pause` loop, ~100 µs).
    private let spinLimit = 20_000

    /// The current job: generation (bits 44...63), task count (22...43), next unclaimed task (0...21).
    /// Claiming a task is a compare-and-swap on this word, so a late worker can never claim a task of a
    /// job that has already moved on.
    private let state = Atomic<UInt64>(0)
    private let completed = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private var body: ((Int) -> Void)?
    private var mutex = pthread_mutex_t()
    /// Serialises callers: one job at a time (two models generating at once take turns per operation).
    private var callerMutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var workers: [Thread] = []
    private static let maxTasks = 1 << 22

    /// One pool per thread count for the whole process; pools are never torn down (their workers
    /// sleep when idle), which keeps worker shutdown out of every hot path.
    public static func shared(threads: Int) -> ThreadPool {
        poolsLock.withLock { pools in
            if let pool = pools[threads] { return pool }
            let pool = ThreadPool(threads: threads)
            pools[threads] = pool
            return pool
        }
    }

    private static let poolsLock = Mutex<[Int: ThreadPool]>([:])

    private init(threads: Int) {
        threadCount = max(1, threads)
        pthread_mutex_init(&mutex, nil)
        pthread_mutex_init(&callerMutex, nil)
        pthread_cond_init(&condition, nil)
        for index in 1..<threadCount {
            let thread = Thread { self.workerLoop() }
            thread.name = "lathe-worker-\(index)"
            thread.stackSize = 1 << 20
            workers.append(thread)
            thread.start()
        }
    }

    /// Runs `body(i)` for every i in 0..<count across the pool and returns when all are done.
    /// Tasks are handed out dynamically, so uneven tasks and a busy core balance themselves.
    public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        if threadCount == 1 || count <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        precondition(count < ThreadPool.maxTasks)
        pthread_mutex_lock(&callerMutex)
        defer { pthread_mutex_unlock(&callerMutex) }
        withoutActuallyEscaping(body) { body in
            self.body = body
            completed.store(0, ordering: .relaxed)
            let generation = (Self.generation(of: state.load(ordering: .relaxed)) + 1) & 0xFFFFF
            state.store(UInt64(generation) << 44 | UInt64(count) << 22, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(&mutex)
                pthread_cond_broadcast(&condition)
                pthread_mutex_unlock(&mutex)
            }
            runTasks(generation: generation)
            while completed.load(ordering: .acquiring) < count { lk_cpu_relax() }
            self.body = nil
        }
    }

    private static func generation(of word: UInt64) -> Int { Int(word >> 44) }

    /// Claims and runs tasks of job `generation` until none is left.
    private func runTasks(generation: Int) {
        var word = state.load(ordering: .acquiring)
        while true {
            let count = Int((word >> 22) & 0x3FFFFF), next = Int(word & 0x3FFFFF)
            guard Self.generation(of: word) == generation, next < count else { return }
            let (exchanged, original) = state.compareExchange(
                expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            if exchanged {
                body!(next)  // safe: the caller keeps `body` until every claimed task completes
                completed.add(1, ordering: .releasing)
                word = state.load(ordering: .acquiring)
            } else {
                word = original
            }
        }
    }

    private func workerLoop() {
        var seen = Self.generation(of: state.load(ordering: .acquiring))
        while true {
            var spins = 0
            while Self.generation(of: state.load(ordering: .acquiring)) == seen {
                spins += 1
                if spins < spinLimit { lk_cpu_relax(); continue }
                pthread_mutex_lock(&mutex)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while Self.generation(of: state.load(ordering: .sequentiallyConsistent)) == seen {
                    pthread_cond_wait(&condition, &mutex)
                }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(&mutex)
            }
            seen = Self.generation(of: state.load(ordering: .acquiring))
            runTasks(generation: seen)
        }
    }
}
