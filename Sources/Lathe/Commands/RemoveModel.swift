// `lathe rm NAME`: delete a model (every part of a split one) and its manifest entry.
import ArgumentParser
import Foundation
import Hub

struct RemoveModel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a local model.")

    @Argument(help: "The model's name, or a unique part of it.") var name: String
    @OptionGroup var location: ModelsDirectoryOption

    func run() throws {
        try CLIErrors.guarded {
            let library = ModelLibrary(directory: location.directory.path)
            let model = try library.resolve(name)
            let removed = try library.remove(model)
            print("removed \(model.name) (\(removed.count) file\(removed.count == 1 ? "" : "s"), \(ByteFormat.string(model.size)))")
        }
    }
}
