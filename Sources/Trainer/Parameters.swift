// Parameters live in one flat buffer (llm.c style) with a parallel gradient buffer, described by a layout of
// named tensors. The optimizer, gradient clipping and checkpoints work on the flat buffers, so they serve any
// set of trainable parameters: a whole model when pretraining, only LoRA adapters when fine-tuning.
//
//     let store = ParameterStore<Float>(specs: [.init(name: "a", shape: [4, 8], decays: true)])
//     let a: Tensor<Float> = store["a"]      // values + grads pointers into the flat buffers
//
// A `Tensor` is a view: values, and gradients when the tensor is trainable (nil for frozen weights).

public struct ParameterSpec: Codable, Sendable, Equatable {
    public var name: String
    /// Row-major shape, outermost first ([rows, columns] for a matrix).
    public var shape: [Int]
    /// Whether AdamW's decoupled weight decay applies (matrices yes; norms and biases no).
    public var decays: Bool

    public init(name: String, shape: [Int], decays: Bool) {
        self.name = name
        self.shape = shape
        self.decays = decays
    }

    public var count: Int { shape.reduce(1, *) }
}

/// A view of a tensor's values and (if trainable) its gradient accumulator.
public struct Tensor<S: TrainScalar>: @unchecked Sendable {  // points into a store that outlives it
    public let name: String
    public let values: UnsafeMutablePointer<S>
    public let grads: UnsafeMutablePointer<S>?
    public let count: Int

    public init(name: String, values: UnsafeMutablePointer<S>, grads: UnsafeMutablePointer<S>?, count: Int) {
        self.name = name
        self.values = values
        self.grads = grads
        self.count = count
    }
}

/// Owns the flat value and gradient buffers of a set of tensors.
public final class ParameterStore<S: TrainScalar>: @unchecked Sendable {  // used by one training thread
    public let specs: [ParameterSpec]
    public let offsets: [Int]
    public let count: Int
    public let values: UnsafeMutablePointer<S>
    /// nil for a frozen store (weights that are read but never trained).
    public let grads: UnsafeMutablePointer<S>?
    private let index: [String: Int]

    public init(specs: [ParameterSpec], trainable: Bool = true) {
        self.specs = specs
        var offsets: [Int] = []
        var total = 0
        for spec in specs {
            offsets.append(total)
            total += spec.count
        }
        self.offsets = offsets
        count = total
        values = .allocate(capacity: max(total, 1))
        values.initialize(repeating: 0, count: max(total, 1))
        if trainable {
            let g = UnsafeMutablePointer<S>.allocate(capacity: max(total, 1))
            g.initialize(repeating: 0, count: max(total, 1))
            grads = g
        } else {
            grads = nil
        }
        index = Dictionary(uniqueKeysWithValues: specs.enumerated().map { ($1.name, $0) })
    }

    deinit {
        values.deallocate()
        grads?.deallocate()
    }

    public func contains(_ name: String) -> Bool { index[name] != nil }

    public subscript(name: String) -> Tensor<S> {
        guard let i = index[name] else { preconditionFailure("no parameter named \(name)") }
        return tensor(at: i)
    }

    public func tensor(at i: Int) -> Tensor<S> {
        Tensor(name: specs[i].name, values: values + offsets[i], grads: grads.map { $0 + offsets[i] },
               count: specs[i].count)
    }

    public func zeroGrads() {
        grads?.update(repeating: 0, count: count)
    }

    /// The L2 norm of all gradients, accumulated in Double.
    public func gradientNorm() -> Double {
        guard let grads else { return 0 }
        var sum = 0.0
        for i in 0..<count { let g = Double(grads[i]); sum += g * g }
        return sum.squareRoot()
    }

    /// Copies every value from `other` (same layout) converting the float type.
    public func copyValues<T: TrainScalar>(from other: ParameterStore<T>) {
        precondition(other.count == count)
        for i in 0..<count { values[i] = S(other.values[i]) }
    }
}
