// The fork-join pool: every task runs exactly once, jobs can follow each other at any rate, and
// several threads may use one pool at the same time (they take turns).
import Foundation
import Kernels
import Testing

@Suite struct ThreadPoolTests {
    @Test(arguments: [1, 2, 3, 17, 1000])
    func everyTaskRunsExactlyOnce(_ count: Int) {
        let pool = ThreadPool.shared(threads: 2)
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
        hits.initialize(repeating: 0, count: count)
        defer { hits.deallocate() }
        for _ in 0..<200 {
            pool.parallelFor(count) { hits[$0] += 1 }
        }
        #expect((0..<count).allSatisfy { hits[$0] == 200 })
    }

    @Test func concurrentCallersDoNotInterfere() async {
        let pool = ThreadPool.shared(threads: 2)
        let totals = await withTaskGroup(of: Int.self) { group in
            for caller in 0..<3 {
                group.addTask {
                    let sums = UnsafeMutablePointer<Int>.allocate(capacity: 64)
                    defer { sums.deallocate() }
                    var total = 0
                    for _ in 0..<300 {
                        sums.initialize(repeating: 0, count: 64)
                        pool.parallelFor(64) { sums[$0] = $0 + caller }
                        total += (0..<64).reduce(0) { $0 + sums[$1] }
                    }
                    return total
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        let expected = Set((0..<3).map { caller in 300 * (0..<64).reduce(0) { $0 + $1 + caller } })
        #expect(Set(totals) == expected)
    }
}
