// Where models live (`--models-dir`, `LATHE_MODELS_DIR`, default `models/`) and how a MODEL argument
// (a path, a file name in the models directory, or a unique part of one) resolves to a file.
import ArgumentParser
import Foundation
import Workbench

struct ModelsDirectoryOption: ParsableArguments {
    @Option(name: .customLong("models-dir"), help: "Models directory (default: $LATHE_MODELS_DIR or ./models).")
    var modelsDir: String?

    var directory: ModelDirectory { ModelDirectory(explicit: modelsDir) }
}

struct ModelOptions: ParsableArguments {
    @Argument(help: "A GGUF file: a path, or a name (or unique part of one) in the models directory.")
    var model: String

    @OptionGroup var location: ModelsDirectoryOption

    func resolvedPath() throws -> String {
        try location.directory.resolve(model)
    }
}
