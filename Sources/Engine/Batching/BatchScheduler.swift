// Continuous batching: one model, a pool of per-sequence KV caches (slots), and a dedicated thread that
// runs decode steps. Every step batches the next token of each decoding sequence plus a chunk of prompt
// for sequences still prefilling (so a long prompt does not stall running streams), in one forward pass.
// Requests wait in a bounded FIFO queue; they join between steps when a slot is free, and finished or
// cancelled sequences leave between steps. A free slot keeps the tokens it held, and a new request is put
// in the free slot sharing the longest prefix with its prompt, so repeated prompts skip their prefill.
//
// The heavy work runs on the scheduler's own thread (and the kernels' thread pool), never on the Swift
// concurrency pool; events are delivered through the `onEvent` callback from that thread.
import Foundation
import Tokenizers

public final class BatchScheduler: @unchecked Sendable {  // shared state is guarded by `condition`
    public let model: LanguageModel
    public let slotCount: Int
    public let contextLength: Int
    public let maxWaiting: Int
    public let prefillChunk: Int

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var waiting: [Pending] = []
    private var cancelRequests: Set<Int> = []
    private var stopping = false
    private var stopped = false
    private var nextID = 0
    /// Requests cancelled while still queued (the thread never sees them).
    private var queuedCancels = 0
    private var published = SchedulerSnapshot()

    // Owned by the scheduler thread:
    private let slots: [Slot]
    private let session: BatchSession
    private var totals = SchedulerSnapshot()

    public init(model: LanguageModel, slots slotCount: Int, contextLength: Int, maxWaiting: Int,
                prefillChunk: Int = 64) {
        precondition(slotCount > 0 && contextLength > 1 && prefillChunk > 0)
        self.model = model
        self.slotCount = slotCount
        self.contextLength = contextLength
        self.maxWaiting = maxWaiting
        self.prefillChunk = prefillChunk
        slots = (0..<slotCount).map { _ in Slot(cache: KVCache(config: model.config, capacity: contextLength)) }
        session = BatchSession(model: model.transformer, maxBatch: prefillChunk + slotCount, maxLogitRows: slotCount)
        totals.slots = slotCount
        totals.contextLength = contextLength
        totals.kvTokensCapacity = slotCount * contextLength
        totals.kvBytes = slots.reduce(0) { $0 + $1.cache.byteCount }
        published = totals
        let thread = Thread { [self] in run() }
        thread.name = "lathe-batch-scheduler"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Queues a request. `onEvent` is called from the scheduler thread; the last event is `.finished`.
    public func submit(_ request: BatchRequest, onEvent: @escaping @Sendable (BatchEvent) -> Void) throws -> SequenceHandle {
        guard !request.prompt.isEmpty else { throw BatchError.emptyPrompt }
        guard request.prompt.count < contextLength else {
            throw BatchError.promptTooLong(tokens: request.prompt.count, limit: contextLength)
        }
        let vocabulary = Int32(model.config.vocabularySize)
        if let bad = request.prompt.first(where: { $0 < 0 || $0 >= vocabulary }) { throw EngineError.invalidToken(bad) }
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { throw BatchError.shutDown }
        guard waiting.count < maxWaiting else { throw BatchError.queueFull(limit: maxWaiting) }
        let id = nextID
        nextID += 1
        waiting.append(Pending(id: id, request: request, onEvent: onEvent, submitted: .now))
        published.waitingRequests = waiting.count
        condition.signal()
        return SequenceHandle(id: id, scheduler: self)
    }

    /// Stops a sequence (queued or running) after the current step; it finishes with `.cancelled`.
    func cancel(_ id: Int) {
        condition.lock()
        if let index = waiting.firstIndex(where: { $0.id == id }) {
            let pending = waiting.remove(at: index)
            published.waitingRequests = waiting.count
            published.cancelledSequences += 1
            queuedCancels += 1
            condition.unlock()
            var stats = GenerationStats()
            stats.promptTokens = pending.request.prompt.count
            stats.stopReason = .cancelled
            pending.onEvent(.finished(stats, queueSeconds: pending.submitted.duration(to: .now).seconds))
            return
        }
        cancelRequests.insert(id)
        condition.signal()
        condition.unlock()
    }

    /// The state after the last step.
    public var snapshot: SchedulerSnapshot {
        condition.lock()
        defer { condition.unlock() }
        return published
    }

    /// Cancels everything, waits for the thread to finish. The scheduler cannot be used afterwards.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    // MARK: The scheduler thread

    private func run() {
        while true {
            condition.lock()
            while !stopping && waiting.isEmpty && cancelRequests.isEmpty && !slots.contains(where: { $0.sequence != nil }) {
                condition.wait()
            }
            let quitting = stopping
            let cancels = cancelRequests
            cancelRequests.removeAll()
            var admitted: [Pending] = []
            if !quitting {
                let free = slots.filter { $0.sequence == nil }.count
                admitted = Array(waiting.prefix(free))
                waiting.removeFirst(admitted.count)
            }
            let leftWaiting = waiting
            if quitting { waiting.removeAll() }
            condition.unlock()

            if quitting {
                for slot in slots { if let s = slot.sequence { finish(s, in: slot, reason: .cancelled) } }
                for pending in leftWaiting {
                    var stats = GenerationStats()
                    stats.stopReason = .cancelled
                    pending.onEvent(.finished(stats, queueSeconds: 0))
                }
                condition.lock()
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            for slot in slots {
                if let s = slot.sequence, cancels.contains(s.id) { finish(s, in: slot, reason: .cancelled) }
            }
            for pending in admitted { admit(pending) }
            step()
            publish()
        }
    }

    /// Puts a request in the free slot whose cached tokens share the longest prefix with its prompt.
    private func admit(_ pending: Pending) {
        let prompt = pending.request.prompt
        let free = slots.filter { $0.sequence == nil }
        let scored = free.map { slot in (slot, zip(slot.tokens, prompt).prefix { $0 == $1 }.count) }
        guard let (slot, shared) = scored.max(by: { $0.1 < $1.1 }) else { return }
        // At least the last prompt token is evaluated again so its logits are fresh.
        let reused = min(shared, prompt.count - 1)
        slot.tokens.removeLast(slot.tokens.count - reused)
        slot.cache.truncate(to: reused)
        let sequence = ActiveSequence(pending: pending, tokenizer: model.tokenizer, reused: reused)
        slot.sequence = sequence
        totals.promptTokensCached += reused
        pending.onEvent(.admitted(cachedTokens: reused))
    }

    private func step() {
        var tokens: [Int32] = []
        var rows: [BatchRow] = []
        var logitRows: [Int] = []
        var owners: [Slot] = []
        for slot in slots {
            guard let s = slot.sequence, let next = s.nextToken else { continue }
            s.nextToken = nil
            rows.append(BatchRow(cache: slot.cache, position: slot.tokens.count))
            tokens.append(next)
            slot.tokens.append(next)
            logitRows.append(rows.count - 1)
            owners.append(slot)
        }
        var budget = prefillChunk
        for slot in slots.sorted(by: { ($0.sequence?.id ?? .max) < ($1.sequence?.id ?? .max) }) {
            guard budget > 0, let s = slot.sequence, s.fed < s.prompt.count else { continue }
            let n = min(budget, s.prompt.count - s.fed)
            for i in 0..<n {
                rows.append(BatchRow(cache: slot.cache, position: slot.tokens.count))
                tokens.append(s.prompt[s.fed + i])
                slot.tokens.append(s.prompt[s.fed + i])
            }
            s.fed += n
            budget -= n
            totals.promptTokensProcessed += n
            if s.fed == s.prompt.count {
                logitRows.append(rows.count - 1)
                owners.append(slot)
            }
        }
        guard !rows.isEmpty else { return }
        do {
            try session.evaluate(tokens, rows: rows, logitRows: logitRows)
        } catch {
            // Only a bug can get here (inputs are checked at submit); end the affected sequences cleanly.
            for slot in slots { if let s = slot.sequence { finish(s, in: slot, reason: .cancelled) } }
            return
        }
        totals.steps += 1
        totals.lastBatchRows = rows.count
        // Each sequence has its own sampler and RNG, so they choose in parallel (a full-vocabulary draw
        // costs about a millisecond on Gemma); the results are then taken in slot order.
        var chosen = [Int32](repeating: 0, count: owners.count)
        let session = session
        chosen.withUnsafeMutableBufferPointer { chosen in
            session.model.pool.parallelFor(owners.count) { i in
                guard let s = owners[i].sequence else { return }
                chosen[i] = s.sampler.sample(session.logits(i), vocabularySize: session.vocabularySize,
                                             history: owners[i].tokens)
            }
        }
        for (i, slot) in owners.enumerated() {
            guard let s = slot.sequence else { continue }
            accept(chosen[i], for: s, in: slot)
        }
    }

    /// Emits a sampled token, or finishes the sequence on an end-of-generation token or a stop condition.
    private func accept(_ token: Int32, for s: ActiveSequence, in slot: Slot) {
        let parameters = s.parameters
        let now = ContinuousClock.now
        if s.stats.generatedTokens == 0 {
            s.firstToken = now
            s.stats.timeToFirstToken = s.submitted.duration(to: now).seconds
            s.stats.promptSeconds = s.admitted.duration(to: now).seconds
        }
        s.stats.generatedTokens += 1
        totals.generatedTokens += 1
        if model.tokenizer.endOfGenerationTokens.contains(token) && !parameters.ignoreEndOfGeneration {
            return finish(s, in: slot, reason: .endOfGeneration)
        }
        let (text, stopped) = s.stopFilter.push(s.detokenizer.append(token))
        s.onEvent(.text(text, token: token))
        if stopped { return finish(s, in: slot, reason: .stopString) }
        if s.stats.generatedTokens >= parameters.maxTokens { return finish(s, in: slot, reason: .maxTokens) }
        if slot.tokens.count + 1 > contextLength { return finish(s, in: slot, reason: .contextFull) }
        s.nextToken = token
    }

    private func finish(_ s: ActiveSequence, in slot: Slot, reason: StopReason) {
        if reason != .stopString {
            let tail = s.stopFilter.push(s.detokenizer.flush()).text + s.stopFilter.flush()
            if !tail.isEmpty { s.onEvent(.text(tail, token: -1)) }
        }
        s.stats.stopReason = reason
        s.stats.generationSeconds = (s.firstToken ?? .now).duration(to: .now).seconds
        if reason == .cancelled { totals.cancelledSequences += 1 } else { totals.finishedSequences += 1 }
        slot.sequence = nil
        publish()  // so whoever reacts to `.finished` sees a snapshot that counts it
        s.onEvent(.finished(s.stats, queueSeconds: s.submitted.duration(to: s.admitted).seconds))
    }

    private func publish() {
        var snapshot = totals
        let active = slots.filter { $0.sequence != nil }
        snapshot.activeSequences = active.count
        snapshot.kvTokensUsed = active.reduce(0) { $0 + $1.tokens.count }
        condition.lock()
        snapshot.waitingRequests = waiting.count
        snapshot.cancelledSequences += queuedCancels
        published = snapshot
        condition.unlock()
    }
}

/// A running or queued request; `cancel()` stops it after the current step.
public final class SequenceHandle: Sendable {
    public let id: Int
    private let scheduler: BatchScheduler

    init(id: Int, scheduler: BatchScheduler) {
        self.id = id
        self.scheduler = scheduler
    }

    public func cancel() { scheduler.cancel(id) }
}

private struct Pending {
    let id: Int
    let request: BatchRequest
    let onEvent: @Sendable (BatchEvent) -> Void
    let submitted: ContinuousClock.Instant
}

/// One KV cache of the pool and the tokens it holds (kept after a sequence leaves, for prefix reuse).
private final class Slot {
    let cache: KVCache
    var tokens: [Int32] = []
    var sequence: ActiveSequence?

    init(cache: KVCache) { self.cache = cache }
}

/// A sequence in a slot: its prompt (of which `fed` tokens are in the cache), sampler and text state.
private final class ActiveSequence {
    let id: Int
    let prompt: [Int32]
    let parameters: GenerationParameters
    let onEvent: @Sendable (BatchEvent) -> Void
    let submitted: ContinuousClock.Instant
    let admitted: ContinuousClock.Instant = .now
    var firstToken: ContinuousClock.Instant?
    var fed: Int
    var nextToken: Int32?
    var sampler: Sampler
    var detokenizer: StreamingDetokenizer
    var stopFilter: StopStringFilter
    var stats = GenerationStats()

    init(pending: Pending, tokenizer: any Tokenizer, reused: Int) {
        id = pending.id
        prompt = pending.request.prompt
        parameters = pending.request.parameters
        onEvent = pending.onEvent
        submitted = pending.submitted
        fed = reused
        sampler = Sampler(parameters.sampling)
        detokenizer = StreamingDetokenizer(tokenizer: tokenizer, renderSpecial: false)
        stopFilter = StopStringFilter(parameters.stopStrings)
        stats.promptTokens = prompt.count
        stats.processedPromptTokens = prompt.count - reused
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
