// `lathe import PATH`: copy a GGUF file (all parts of a split one) into the models directory, checked and hashed.
import ArgumentParser
import Foundation
import GGUF
import Hub

struct ImportModel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import",
                                                    abstract: "Copy a GGUF file into the models directory.")

    @Argument(help: "A .gguf file (for a split model, any of its parts).") var path: String
    @OptionGroup var location: ModelsDirectoryOption

    func run() throws {
        try CLIErrors.guarded {
            _ = try GGUFFile(path: path)              // a precise error for a damaged file before copying anything
            let model = try ModelLibrary(directory: location.directory.path).importModel(from: path)
            print("imported \(model.name) (\(ByteFormat.string(model.size)), sha256 \(model.entry?.files.first?.sha256 ?? "-"))")
        }
    }
}
