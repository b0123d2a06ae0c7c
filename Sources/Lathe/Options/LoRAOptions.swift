// `--lora FILE[:SCALE]` (repeatable): run-time LoRA adapters for `run` and `chat`. FILE is a llama.cpp
// GGUF adapter or a PEFT directory (adapter_model.safetensors + adapter_config.json).
import ArgumentParser
import Engine

struct LoRAOptions: ParsableArguments {
    @Option(name: .customLong("lora"), help: "A LoRA adapter to apply, FILE[:SCALE] (GGUF or PEFT directory; repeatable).")
    var adapters: [String] = []

    /// Loads the adapters and applies them to `model`.
    func apply(to model: LanguageModel) throws {
        guard !adapters.isEmpty else { return }
        try model.setAdapters(adapters.map { try ScaledLoRA.load($0, config: model.config) })
    }
}
