// Owns the activation and scratch buffers of a model (allocated once; nothing is allocated per step).
final class Arena<S: TrainScalar> {
    private var blocks: [UnsafeMutablePointer<S>] = []
    private(set) var total = 0

    func make(_ count: Int) -> UnsafeMutablePointer<S> {
        let p = UnsafeMutablePointer<S>.allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
        blocks.append(p)
        total += count
        return p
    }

    func make(_ count: Int, times n: Int) -> [UnsafeMutablePointer<S>] { (0..<n).map { _ in make(count) } }

    deinit { blocks.forEach { $0.deallocate() } }
}
