// `lathe train export RUN_DIR [--out FILE]`: writes the model of a run's newest valid checkpoint as a GGUF
// (RUN_DIR/model.gguf by default), e.g. to try a run that is still going or was stopped early.
import ArgumentParser
import Foundation
import Trainer

struct TrainExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a run's newest checkpoint as a GGUF model.")

    @Argument(help: "The run directory.") var runDirectory: String
    @Option(name: .customLong("out"), help: "Output GGUF path (default: RUN_DIR/model.gguf).") var output: String?

    func run() throws {
        try CLIErrors.guarded {
            let run = try Pretraining.resume(runDirectory: runDirectory, truncatingMetrics: false)
            let path = output ?? run.directory.model
            try run.export(to: path)
            TrainProgress.say("exported step \(run.startStep) of \(run.config.steps): \(path)")
        }
    }
}
