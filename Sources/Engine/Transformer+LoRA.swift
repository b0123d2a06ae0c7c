// The engine's one hook for run-time LoRA adapters: called after each adapted projection in `forward`.
import Kernels

extension Transformer {
    @inline(__always)
    func applyLoRA(_ target: LoRATarget, layer: Int, input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                   tokens: Int) {
        lora?.apply(target, layer: layer, input: input, into: output, tokens: tokens, pool: pool)
    }
}
