// llama.cpp's split models (gguf-split, gguf-py's split writer): NAME-00001-of-00003.gguf and so on, each part a
// GGUF of its own carrying `split.no` (from 0), `split.count` and `split.tensors.count` (all parts' tensors). The
// first part holds the model's metadata; each part holds some of the tensors, with offsets into its own data
// section. Opening the first part finds the others by name, as llama.cpp's loader does.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum GGUFSplit {
    public static let numberKey = "split.no"
    public static let countKey = "split.count"
    public static let tensorCountKey = "split.tensors.count"
    /// Keys that describe one part of a split model: dropped when a model is written out as one file.
    public static let keys: Set<String> = [numberKey, countKey, tensorCountKey]

    /// llama.cpp's name for part `index` (from 0) of `count`: "PREFIX-00002-of-00003.gguf" for index 1 of 3.
    public static func partPath(prefix: String, index: Int, count: Int) -> String {
        prefix + "-" + fiveDigits(index + 1) + "-of-" + fiveDigits(count) + ".gguf"
    }

    /// The prefix the parts share when `path` is named as part `index` of `count`, else nil.
    static func prefix(of path: String, index: Int, count: Int) -> String? {
        let suffix = partPath(prefix: "", index: index, count: count)
        guard path.hasSuffix(suffix), path.count > suffix.count else { return nil }
        return String(path.dropLast(suffix.count))
    }

    struct Part {
        let path: String
        let mapping: GGUFMapping
        let header: GGUFHeader
    }

    static func open(_ path: String) throws -> Part {
        let mapping = try GGUFMapping(path: path)
        return Part(path: path, mapping: mapping, header: try GGUFParser.parse(mapping.bytes))
    }

    /// `first` alone, or, when it is the first part of a split model, every part in order, each checked against it.
    static func parts(first: Part) throws -> [Part] {
        guard let count = try integer(countKey, in: first), count > 1 else { return [first] }
        let number = try integer(numberKey, in: first) ?? 0
        guard number == 0 else {
            let firstName = prefix(of: first.path, index: number, count: count)
                .map { " '\(partPath(prefix: $0, index: 0, count: count))'" } ?? ""
            throw GGUFError.badSplit(path: first.path, reason: "is part \(number + 1) of \(count) of a split model "
                                     + "(split.no = \(number)); open its first part\(firstName)")
        }
        guard let prefix = prefix(of: first.path, index: 0, count: count) else {
            throw GGUFError.badSplit(path: first.path, reason: "split.count = \(count) but the name does not end in "
                                     + "'\(partPath(prefix: "", index: 0, count: count))', so its other parts cannot be found")
        }
        var parts = [first]
        for index in 1..<count {
            let path = partPath(prefix: prefix, index: index, count: count)
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw GGUFError.badSplit(path: path, reason: "missing: part \(index + 1) of the \(count) of split model "
                                         + "'\(first.path)' (\(String(cString: strerror(errno))))")
            }
            let part: Part
            do {
                part = try open(path)
            } catch let error as GGUFError {
                if case .cannotOpen = error { throw error }
                throw GGUFError.inPart(path: path, error)
            }
            let partCount = try integer(countKey, in: part)
            guard partCount == count else {
                throw GGUFError.badSplit(path: path, reason: "split.count = \(partCount.map(String.init) ?? "(missing)"), "
                                         + "expected \(count) as in the first part '\(first.path)'")
            }
            let partNumber = try integer(numberKey, in: part)
            guard partNumber == index else {
                throw GGUFError.badSplit(path: path, reason: "split.no = \(partNumber.map(String.init) ?? "(missing)"), "
                                         + "expected \(index) (part \(index + 1) of \(count))")
            }
            parts.append(part)
        }
        if let expected = try integer(tensorCountKey, in: first) {
            let found = parts.reduce(0) { $0 + $1.header.tensors.count }
            guard found == expected else {
                throw GGUFError.badSplit(path: first.path, reason: "split.tensors.count = \(expected) but the \(count) "
                                         + "parts hold \(found) tensors")
            }
        }
        return parts
    }

    private static func integer(_ key: String, in part: Part) throws -> Int? {
        guard let value = part.header.metadata.first(where: { $0.key == key })?.value else { return nil }
        guard let int = value.int, int >= 0 else {
            throw GGUFError.inPart(path: part.path, .wrongValueType(key: key, expected: "a non-negative integer",
                                                                    found: value.int.map(String.init) ?? "\(value.type)"))
        }
        return int
    }

    private static func fiveDigits(_ n: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
}
