// The English text the tests train on: the license texts every Debian system ships in
// /usr/share/common-licenses (base-files), regular files only (the short names are symlinks to them).
import Foundation

enum Corpus {
    static let directory = "/usr/share/common-licenses"

    static var licenseFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().map { directory + "/" + $0 }.filter { path in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            return attributes?[.type] as? FileAttributeType == .typeRegular
        }
    }

    static func temporaryDirectory(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-train-\(name)-\(UUID().uuidString)").path
        return path
    }
}
