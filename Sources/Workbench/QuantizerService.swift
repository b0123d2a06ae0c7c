// Answers QuantizeCommands from the bus: estimates, runs and cancels quantizations and evaluates their result
// (perplexity and KL divergence against the input model), publishing QuantizeEvents. The work runs on its own
// thread (never on the 2-thread cooperative pool); its events reach the bus in order through one stream.
import Bus
import Engine
import Foundation
import GGUF
import Quantizer

public actor QuantizerService {
    private let bus: Bus
    private let threads: Int
    /// The text perplexity and KL divergence are measured on, and how many 256-token chunks of it.
    private let evaluationText: String
    private let evaluationChunks: Int
    private var listener: Task<Void, Never>?
    private var running: CancellationFlag?
    private var busy = false
    /// Called on the worker thread after each tensor is written, with the run's cancellation flag; tests use it
    /// to hold a run at a known point until their cancel has landed.
    private let afterEachTensor: (@Sendable (_ index: Int, _ cancel: CancellationFlag) -> Void)?

    public init(bus: Bus, threads: Int = ThreadCount.default,
                evaluationText: String = "/usr/share/common-licenses/GPL-3", evaluationChunks: Int = 8,
                afterEachTensor: (@Sendable (_ index: Int, _ cancel: CancellationFlag) -> Void)? = nil) {
        self.bus = bus
        self.threads = threads
        self.evaluationText = evaluationText
        self.evaluationChunks = evaluationChunks
        self.afterEachTensor = afterEachTensor
    }

    /// Subscribes to `.quantizeCommands` before returning, so no command sent afterwards is missed.
    public func start() async {
        guard listener == nil else { return }
        listener = await bus.deliver(.quantizeCommands, to: self) { await $0.handle($1) }
    }

    public func stop() {
        listener?.cancel()
        listener = nil
        running?.cancel()
    }

    func handle(_ command: QuantizeCommand) async {
        switch command {
        case let .estimate(input, type): await publish(estimate(input: input, type: type))
        case .start(let request): await startRun(request)
        case .cancel: running?.cancel()
        case let .evaluate(base, quantized): await startEvaluation(base: base, quantized: quantized)
        }
    }

    func estimate(input: String, type: String) -> QuantizeEvent {
        do {
            guard let fileType = QuantFileType(name: type) else {
                return .failed("unknown type '\(type)' (expected one of \(QuantFileType.spellings))")
            }
            let file = try GGUFFile(path: input)
            let plan = try QuantizeModel.plan(file, options: QuantizeOptions(fileType: fileType, allowRequantize: true))
            return .estimate(QuantizeEstimate(input: input, type: fileType.rawValue, inputBytes: file.fileSize,
                                              outputBytes: file.dataOffset + QuantizeModel.estimatedSize(plan, alignment: file.alignment),
                                              tensors: plan.count, requantizes: QuantizeModel.requantizes(plan)))
        } catch {
            return .failed(Self.message(error))
        }
    }

    private func startRun(_ request: QuantizeRequest) async {
        guard !busy else { return await publish(.failed("a quantization or evaluation is already running")) }
        guard let fileType = QuantFileType(name: request.type) else {
            return await publish(.failed("unknown type '\(request.type)' (expected one of \(QuantFileType.spellings))"))
        }
        let cancel = CancellationFlag()
        running = cancel
        busy = true
        let options = QuantizeOptions(fileType: fileType, threads: threads, allowRequantize: request.allowRequantize)
        let afterEachTensor = self.afterEachTensor
        let events = Self.onThread { emit in
            var announced = false
            var lastProgress = Date.distantPast
            do {
                let result = try QuantizeModel.run(input: request.input, output: request.output, options: options,
                                                   cancel: cancel) { progress in
                    if !announced {
                        emit(.started(request, tensors: progress.count))
                        announced = true
                    }
                    if progress.tensorFinished {
                        let tensor = progress.tensor
                        emit(.tensor(QuantizeTensorRow(index: progress.index, name: tensor.name, shape: tensor.info.dims,
                                                       from: tensor.info.type.name, to: tensor.targetType.name,
                                                       relativeError: progress.relativeError)))
                        afterEachTensor?(progress.index, cancel)
                    }
                    // Progress at most ~10 times a second, and always at the end of a tensor.
                    if progress.tensorFinished || Date().timeIntervalSince(lastProgress) > 0.1 {
                        lastProgress = Date()
                        emit(.progress(fraction: progress.fraction, elapsedSeconds: progress.elapsedSeconds,
                                       etaSeconds: progress.etaSeconds))
                    }
                }
                emit(.finished(output: result.output, bytes: result.outputBytes, seconds: result.seconds))
            } catch QuantizerError.cancelled {
                emit(.cancelled)
            } catch {
                emit(.failed(Self.message(error)))
            }
        }
        Task { await self.forward(events) }
    }

    private func startEvaluation(base: String, quantized: String) async {
        guard !busy else { return await publish(.failed("a quantization or evaluation is already running")) }
        busy = true
        let (threads, textPath, chunks) = (self.threads, evaluationText, evaluationChunks)
        let events = Self.onThread { emit in
            do {
                guard let data = FileManager.default.contents(atPath: textPath) else {
                    throw QuantizerError.badInput(path: textPath, reason: "cannot read the evaluation text")
                }
                let baseModel = try LanguageModel(path: base, threads: threads)
                let quantModel = try LanguageModel(path: quantized, threads: threads)
                emit(.evaluating(done: 0, total: chunks))
                let result = try KLDivergence.compute(base: baseModel, quant: quantModel,
                                                      text: String(decoding: data, as: UTF8.self), contextLength: 256,
                                                      maxChunks: chunks) { done, total in
                    emit(.evaluating(done: done, total: total))
                }
                emit(.evaluated(QuantizeEvaluation(basePPL: result.basePPL, quantizedPPL: result.quantPPL,
                                                   meanKLD: result.meanKLD, top1Agreement: result.top1Agreement)))
            } catch {
                emit(.failed(Self.message(error)))
            }
        }
        Task { await self.forward(events) }
    }

    private func forward(_ events: AsyncStream<QuantizeEvent>) async {
        for await event in events {
            // Free before the last event goes out, so a command sent on seeing it is accepted.
            switch event {
            case .finished, .cancelled, .failed, .evaluated:
                running = nil
                busy = false
            default: break
            }
            await publish(event)
        }
        running = nil
        busy = false
    }

    private func publish(_ event: QuantizeEvent) async { await bus.publish(event, on: .quantizeEvents) }

    /// Runs `body` on a new thread; what it emits arrives in order on the returned stream.
    private static func onThread(_ body: @escaping @Sendable (@escaping @Sendable (QuantizeEvent) -> Void) -> Void)
        -> AsyncStream<QuantizeEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: QuantizeEvent.self, bufferingPolicy: .unbounded)
        let thread = Thread {
            body { continuation.yield($0) }
            continuation.finish()
        }
        thread.name = "lathe-quantizer"
        thread.start()
        return stream
    }

    static func message(_ error: Error) -> String {
        (error as? LocalizedError)?.errorDescription ?? String(describing: error)
    }
}
