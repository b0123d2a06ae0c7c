// `lathe train`: the command group for training. `lathe train pretrain …` starts a from-scratch run;
// `lathe train --resume RUN_DIR` continues any run from its newest valid checkpoint. Further kinds of
// training (e.g. `lathe train lora`) are added as subcommands here.
import ArgumentParser
import Bus
import Foundation
import Trainer

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train models: pretrain from scratch, or resume a run.",
        subcommands: [TrainPretrain.self, TrainExport.self, TrainLoRA.self])

    @Option(name: .customLong("resume"),
            help: ArgumentHelp("Continue the run in this directory from its newest valid checkpoint.", valueName: "run-dir"))
    var resumeDirectory: String?

    func run() throws {
        guard let resumeDirectory else { throw CleanExit.helpRequest(self) }
        try CLIErrors.guarded {
            let signals = TrainingSignals.install()
            if FineTuning.isFineTuneRun(resumeDirectory) {
                let run = try FineTuning.resume(runDirectory: resumeDirectory)
                TrainProgress.say("resuming \(resumeDirectory) at step \(run.startStep) of \(run.totalSteps)")
                return try TrainLoRA.drive(run, signals: signals)
            }
            let run = try Pretraining.resume(runDirectory: resumeDirectory)
            for (path, reason) in run.skippedCheckpoints {
                FileHandle.standardError.write(Data("warning: skipped \(path): \(reason)\n".utf8))
            }
            TrainProgress.say("resuming \(resumeDirectory) at step \(run.startStep) of \(run.config.steps)")
            try TrainProgress.drive(run, signals: signals)
        }
    }
}

/// Prints one progress line per event (the CLI face of the bus events the TUI shows).
enum TrainProgress {
    static func drive(_ run: Pretraining, signals: TrainingSignals) throws {
        let outcome = try run.train(control: { signals.stopRequested ? .stop : .run }) { event in
            if let line = line(for: event) { say(line) }
        }
        if case .stopped = outcome { throw ExitCode(signals.exitCode) }
    }

    /// Writes a line to stdout unbuffered, so a log file or a watching test sees every step at once.
    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    static func line(for event: TrainEvent) -> String? {
        switch event {
        case .started(let dir, let start, let total): "training \(dir): steps \(start)→\(total)"
        case .step(let m):
            String(format: "step %d/%d loss %.4f lr %.2e |g| %.3f %.0f tok/s epoch %.2f ETA %@", m.step, m.totalSteps,
                   m.loss, m.learningRate, m.gradientNorm, m.tokensPerSecond, m.epoch, duration(m.eta))
        case .evaluated(let step, let loss): String(format: "eval step %d loss %.4f", step, loss)
        case .sample(let step, let text): "sample step \(step): \(text.replacingOccurrences(of: "\n", with: "⏎"))"
        case .checkpointSaved(let step, let path): "checkpoint step \(step): \(path)"
        case .paused(let step): "paused at step \(step)"
        case .stopped(let step, let path): "stopped at step \(step); resume with: lathe train --resume <run> (\(path))"
        case .finished(let path): "finished: \(path)"
        case .failed(let message): "failed: \(message)"
        case .runs: nil
        }
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(t % 3600 / 60)m" : t >= 60 ? "\(t / 60)m\(t % 60)s" : "\(t)s"
    }
}

/// SIGINT and SIGTERM ask the run to stop after the current step with a checkpoint; a second SIGINT exits.
final class TrainingSignals: @unchecked Sendable {  // the flag is written from the signal queue only
    private let lock = NSLock()
    private var signal: Int32 = 0
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    var stopRequested: Bool { lock.withLock { signal != 0 } }
    /// 130 after Ctrl-C, 143 after SIGTERM (the shell's convention for death by signal).
    var exitCode: Int32 { lock.withLock { 128 + signal } }

    static func install() -> TrainingSignals {
        let flag = TrainingSignals()
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let again = flag.lock.withLock { () -> Bool in
                    defer { flag.signal = number }
                    return flag.signal != 0
                }
                if again && number == SIGINT { exit(130) }
                FileHandle.standardError.write(Data("stopping after this step (checkpoint)…\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
        return flag
    }
}
