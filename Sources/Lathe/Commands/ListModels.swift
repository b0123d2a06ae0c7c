// `lathe ls [--json]`: the models in the models directory with size, quantization and where each came from.
import ArgumentParser
import Foundation
import Hub

struct ListModels: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the local models.")

    @OptionGroup var location: ModelsDirectoryOption
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
        let library = ModelLibrary(directory: location.directory.path)
        let models = library.models()
        if json {
            printJSON(models.map(LocalModelJSON.object))
            return
        }
        if models.isEmpty { print("no models in '\(library.directory)' (lathe pull OWNER/NAME fetches one)") }
        let width = min(56, max(4, models.map(\.name.count).max() ?? 4))
        if !models.isEmpty {
            print("NAME".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + "SIZE".leftPad(9) + "  QUANT    SOURCE")
        }
        for m in models {
            let name = m.name.count > width ? String(m.name.prefix(width - 1)) + "…" : m.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let source = m.entry.map { $0.repo ?? ($0.source == "import" ? "imported" : $0.source) } ?? "-"
            let parts = m.paths.count > 1 ? " (\(m.paths.count) parts)" : ""
            let quant = (m.quantization ?? "-").padding(toLength: 7, withPad: " ", startingAt: 0)
            print("\(name)  \(ByteFormat.string(m.size).leftPad(9))  \(quant)  \(source)\(parts)\(m.isIncomplete ? " INCOMPLETE" : "")")
        }
        for part in library.partials() {
            print("partial download: \(part) (lathe pull resumes it)")
        }
    }
}
