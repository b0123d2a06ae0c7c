// Learning rate per optimizer step: linear warmup from peak/warmup to peak, then cosine or linear decay
// to `minimum` at the last step.
import Foundation

public struct LearningRateSchedule: Codable, Sendable, Equatable {
    public enum Decay: String, Codable, Sendable, CaseIterable { case cosine, linear, constant }

    public var peak: Double
    public var minimum: Double
    public var warmupSteps: Int
    public var totalSteps: Int
    public var decay: Decay

    public init(peak: Double, minimum: Double, warmupSteps: Int, totalSteps: Int, decay: Decay = .cosine) {
        self.peak = peak
        self.minimum = minimum
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.decay = decay
    }

    /// The rate for step `step` (0-based).
    public func learningRate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps - 1)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        switch decay {
        case .constant: return peak
        case .linear: return peak + (minimum - peak) * progress
        case .cosine: return minimum + (peak - minimum) * 0.5 * (1 + cos(Double.pi * progress))
        }
    }
}
