// Ctrl-C during a CLI generation stops it after the current token instead of killing the process;
// a second Ctrl-C exits at once.
import Foundation
import Synchronization

final class InterruptFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    /// Kept alive for the life of the process (installed once per command).
    nonisolated(unsafe) private static var source: DispatchSourceSignal?

    var isSet: Bool { flag.load(ordering: .relaxed) }
    func clear() { flag.store(false, ordering: .relaxed) }

    static func install() -> InterruptFlag {
        let interrupt = InterruptFlag()
        signal(SIGINT, SIG_IGN)
        let signalSource = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signalSource.setEventHandler {
            if interrupt.isSet { exit(130) }
            interrupt.flag.store(true, ordering: .relaxed)
        }
        signalSource.resume()
        source = signalSource
        return interrupt
    }
}
