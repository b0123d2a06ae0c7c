// Quantize pane state: the chosen source model and target type, the service's size estimate, the run in
// progress (per-tensor rows, overall progress, ETA) or its outcome, and an evaluation on request.
import Bus
import Screen

public struct QuantizeState: Sendable, Equatable {
    /// Target types offered, in llama-quantize's spelling, from most to fewest bits.
    public static let types = ["F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_1", "Q5_0", "Q4_K_M", "Q4_K_S",
                               "Q4_1", "Q4_0", "Q3_K_L", "Q3_K_M", "Q3_K_S", "Q2_K", "F32"]

    public enum Status: Sendable, Equatable {
        case idle
        case running
        case finished(output: String, bytes: Int, seconds: Double)
        case cancelled
        case failed(String)
    }

    /// Selection in the Models pane's list of local models (ModelsState.available).
    public var list = ListState()
    public var typeIndex = QuantizeState.types.firstIndex(of: "Q4_K_M")!
    public var estimate: QuantizeEstimate?
    public var status: Status = .idle
    public var request: QuantizeRequest?
    public var tensorCount = 0
    /// Finished tensors, in order.
    public var rows: [QuantizeTensorRow] = []
    public var fraction = 0.0
    public var elapsedSeconds = 0.0
    public var etaSeconds: Double?
    /// (done, total) chunks while an evaluation runs.
    public var evaluating: (done: Int, total: Int)?
    public var evaluation: QuantizeEvaluation?
    public var cancelRequested = false
    /// A failed estimate or evaluation.
    public var lastError: String?

    public init() {}

    public var type: String { QuantizeState.types[typeIndex] }
    public var isRunning: Bool { status == .running }

    public static func == (a: QuantizeState, b: QuantizeState) -> Bool {
        a.list == b.list && a.typeIndex == b.typeIndex && a.estimate == b.estimate && a.status == b.status
            && a.request == b.request && a.tensorCount == b.tensorCount && a.rows == b.rows && a.fraction == b.fraction
            && a.elapsedSeconds == b.elapsedSeconds && a.etaSeconds == b.etaSeconds
            && a.evaluating?.done == b.evaluating?.done && a.evaluating?.total == b.evaluating?.total
            && a.evaluation == b.evaluation && a.cancelRequested == b.cancelRequested && a.lastError == b.lastError
    }

    /// Where the output goes: beside the input, named after it with the type replacing a known type suffix
    /// (`SmolLM2-135M-Instruct.Q4_1.gguf` -> `SmolLM2-135M-Instruct.Q4_K_M.gguf`), never the input itself.
    public static func outputPath(input: String, type: String) -> String {
        let slash = input.lastIndex(of: "/")
        let directory = slash.map { String(input[...$0]) } ?? ""
        var stem = String(slash.map { input[input.index(after: $0)...] } ?? input[...])
        if stem.lowercased().hasSuffix(".gguf") { stem.removeLast(5) }
        let known = Set(types.map { $0.lowercased() } + ["q4_k", "q5_k", "q3_k", "q8_k", "iq4_xs", "iq4_nl"])
        if let separator = stem.lastIndex(where: { $0 == "." || $0 == "-" }),
           known.contains(stem[stem.index(after: separator)...].lowercased()) {
            stem = String(stem[..<separator])
        }
        let path = "\(directory)\(stem).\(type).gguf"
        return path == input ? "\(directory)\(stem).\(type)-requantized.gguf" : path
    }
}
