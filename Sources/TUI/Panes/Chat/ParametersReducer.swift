// The parameters panel: one row per sampling setting, adjusted in steps; presets replace them all.
import Bus

public enum ParameterRow: Int, CaseIterable, Sendable {
    case preset, temperature, topK, topP, minP, repeatPenalty, maxTokens, seed, contextLength

    public var label: String {
        switch self {
        case .preset: "Preset"
        case .temperature: "Temperature"
        case .topK: "Top-k"
        case .topP: "Top-p"
        case .minP: "Min-p"
        case .repeatPenalty: "Repeat penalty"
        case .maxTokens: "Max tokens"
        case .seed: "Seed"
        case .contextLength: "Context length"
        }
    }

    /// The value as the panel shows it.
    public func value(in conversation: Conversation) -> String {
        let p = conversation.parameters
        switch self {
        case .preset: return conversation.presetName
        case .temperature: return fixed(p.temperature)
        case .topK: return "\(p.topK)"
        case .topP: return fixed(p.topP)
        case .minP: return fixed(p.minP)
        case .repeatPenalty: return fixed(p.repeatPenalty)
        case .maxTokens: return "\(p.maxTokens)"
        case .seed: return p.seed.map { "\($0)" } ?? "random"
        case .contextLength: return "\(p.contextLength)"
        }
    }

    /// Applies `steps` increments (negative to decrease), clamped to the valid range.
    func adjust(_ p: inout ChatParameters, _ steps: Int) {
        let s = Double(steps)
        switch self {
        case .preset: break
        case .temperature: p.temperature = clamp(p.temperature + 0.05 * s, 0, 2)
        case .topK: p.topK = min(max(p.topK + steps, 0), 200)
        case .topP: p.topP = clamp(p.topP + 0.01 * s, 0, 1)
        case .minP: p.minP = clamp(p.minP + 0.01 * s, 0, 1)
        case .repeatPenalty: p.repeatPenalty = clamp(p.repeatPenalty + 0.05 * s, 1, 2)
        case .maxTokens: p.maxTokens = min(max(p.maxTokens + 32 * steps, 16), 8192)
        case .seed:
            let next = Int(p.seed ?? 0) + steps
            p.seed = p.seed == nil && steps < 0 ? nil : next < 0 ? nil : UInt64(next)
        case .contextLength: p.contextLength = min(max(p.contextLength + 256 * steps, 256), 32768)
        }
    }
}

private func clamp(_ v: Double, _ lo: Double, _ hi: Double) -> Double { (min(max(v, lo), hi) * 100).rounded() / 100 }

private func fixed(_ v: Double) -> String {
    let hundredths = Int((v * 100).rounded())
    let fraction = abs(hundredths % 100)
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

func performParameters(_ chat: inout ChatState, _ action: Action) -> [Effect] {
    let rows = ParameterRow.allCases
    switch action {
    case .listUp: chat.parameterRow = max(0, chat.parameterRow - 1)
    case .listDown: chat.parameterRow = min(rows.count - 1, chat.parameterRow + 1)
    case .nextPreset: applyNextPreset(&chat.conversation, direction: 1)
    case .increase, .decrease:
        let steps = action == .increase ? 1 : -1
        let row = rows[min(chat.parameterRow, rows.count - 1)]
        if row == .preset {
            applyNextPreset(&chat.conversation, direction: steps)
        } else {
            row.adjust(&chat.conversation.parameters, steps)
            chat.conversation.presetName = "Custom"
        }
    default: return []
    }
    return action == .listUp || action == .listDown ? [] : [.chat(.save(chat.conversation))]
}

private func applyNextPreset(_ conversation: inout Conversation, direction: Int) {
    let presets = ParameterPreset.all
    let i = presets.firstIndex { $0.name == conversation.presetName } ?? (direction > 0 ? -1 : 0)
    let next = presets[((i + direction) % presets.count + presets.count) % presets.count]
    conversation.presetName = next.name
    conversation.parameters = next.parameters
}
