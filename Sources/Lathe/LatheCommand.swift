// The `lathe` executable: the only place that wires the modules together. `lathe` alone opens the TUI.
import ArgumentParser

@main
struct LatheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lathe",
        abstract: "A terminal workbench for local large language models.",
        version: "0.1.0",
        subcommands: [WorkbenchCommand.self, Info.self, Run.self, Chat.self, Tokenize.self, Template.self, Bench.self, PerplexityCommand.self, LoRACommand.self, Train.self,
                      Pull.self, Search.self, ListModels.self, RemoveModel.self, ImportModel.self,
                      Quantize.self, Convert.self, ExportHF.self, KLD.self, Serve.self],
        defaultSubcommand: WorkbenchCommand.self)
}
