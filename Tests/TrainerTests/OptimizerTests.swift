// AdamW (decoupled decay, none on norms), global-norm clipping and the learning-rate schedules.
import Foundation
import Testing
import Trainer

@Suite struct OptimizerTests {
    @Test func adamWStepMatchesTheFormula() {
        let store = ParameterStore<Double>(specs: [ParameterSpec(name: "w", shape: [2, 2], decays: true),
                                                   ParameterSpec(name: "norm", shape: [2], decays: false)])
        let values: [Double] = [1, -2, 0.5, 3, 1, 1]
        let grads: [Double] = [0.1, -0.2, 0, 4, 0.5, -0.5]
        for i in 0..<6 { store.values[i] = values[i]; store.grads![i] = grads[i] }
        let settings = AdamWSettings(beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1)
        let adam = AdamW<Double>(count: 6, settings: settings)
        adam.step(store, learningRate: 0.01)
        for i in 0..<6 {
            // Step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g|+eps) plus lr·wd·θ for decayed tensors.
            let g = grads[i]
            let decay = i < 4 ? 0.01 * 0.1 * values[i] : 0
            let expected = values[i] - 0.01 * g / (abs(g) + 1e-8) - decay
            #expect(abs(store.values[i] - expected) < 1e-12, "parameter \(i): \(store.values[i]) vs \(expected)")
        }
        #expect(adam.steps == 1)
    }

    @Test func clippingScalesToTheMaximumNorm() {
        let store = ParameterStore<Float>(specs: [ParameterSpec(name: "w", shape: [2], decays: true)])
        store.grads![0] = 3
        store.grads![1] = 4
        let norm = GradientClipping.clip(store, maxNorm: 1)
        #expect(norm == 5)
        #expect(abs(store.gradientNorm() - 1) < 1e-6)
        #expect(GradientClipping.clip(store, maxNorm: 10) < 1.0001)  // under the limit: unchanged
        #expect(abs(store.grads![0] - 0.6) < 1e-6)
    }

    @Test func warmupThenCosineAndLinearDecay() {
        let cosine = LearningRateSchedule(peak: 1, minimum: 0.1, warmupSteps: 10, totalSteps: 110, decay: .cosine)
        #expect(abs(cosine.learningRate(at: 0) - 0.1) < 1e-12)
        #expect(abs(cosine.learningRate(at: 9) - 1) < 1e-12)
        #expect(abs(cosine.learningRate(at: 10) - 1) < 1e-12)
        #expect(abs(cosine.learningRate(at: 109) - 0.1) < 1e-12)
        #expect(abs(cosine.learningRate(at: 10 + 99 / 2) - 0.55) < 0.01)
        let linear = LearningRateSchedule(peak: 1, minimum: 0, warmupSteps: 0, totalSteps: 11, decay: .linear)
        #expect(abs(linear.learningRate(at: 5) - 0.5) < 1e-12)
        #expect(abs(linear.learningRate(at: 10)) < 1e-12)
    }
}
