// Prints KernelBench figures when asked (LATHE_KERNEL_BENCH=1); never asserts on speed (STYLE B6).
// swift test -c release --filter KernelBenchReport with LATHE_KERNEL_BENCH=1 in the environment.
import Foundation
import Kernels
import Testing

struct KernelBenchReport {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LATHE_KERNEL_BENCH"] == "1"))
    func printKernelBench() {
        let results = KernelBench.run()
        print("kernel bench (\(Quantization.simdLevel), one thread):")
        for (key, value) in results.sorted(by: { $0.key < $1.key }) {
            print("  " + key.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%10.2f", value))
        }
        #expect(!results.isEmpty)
    }
}
