// Split models (llama.cpp's gguf-split layout) read as one: SmolLM2 split into three parts by gguf-py's writer
// must give the single file's metadata, tensor table and tensor bytes; parts that do not fit together are
// refused with one line naming the file and what was expected.
import Foundation
import GGUF
import LatheTestSupport
import Testing

@Suite struct SplitModelTests {
    @Test func splitModelReadsAsTheSingleFile() throws {
        let parts = try SplitSmolLM2.parts()
        let single = try GGUFFile(path: TestPaths.smollm2)
        let split = try GGUFFile(path: parts[0])
        #expect(split.paths == parts)
        let sizes = try parts.map { try #require(FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) }
        #expect(split.fileSize == sizes.reduce(0, +))
        #expect(split.int("split.count") == 3 && split.int("split.no") == 0 && split.int("split.tensors.count") == 272)

        let kept = split.metadata.filter { !GGUFSplit.keys.contains($0.key) }
        #expect(kept.map(\.key) == single.metadata.map(\.key))
        #expect(zip(kept, single.metadata).allSatisfy { $0.value == $1.value })

        #expect(split.tensors.count == 272 && split.parameterCount == single.parameterCount)
        #expect(split.tensors.map(\.name) == single.tensors.map(\.name))
        var differing: [String] = []
        for (a, b) in zip(split.tensors, single.tensors) {
            let x = split.data(for: a), y = single.data(for: b)
            if a.dims != b.dims || a.type != b.type || x.count != y.count || memcmp(x.baseAddress!, y.baseAddress!, x.count) != 0 {
                differing.append(a.name)
            }
        }
        #expect(differing.isEmpty, "tensors that differ from the single file: \(differing)")
        // The later parts' tensors really live in those parts' mappings (offsets restart at each part).
        #expect(split.tensors.filter { $0.offset == 0 }.count == 3)
        #expect(try split.requireTensor("output_norm.weight").offset != single.requireTensor("output_norm.weight").offset)
        #expect(split.floats(try split.requireTensor("output_norm.weight"))?.elementsEqual(
            single.floats(try single.requireTensor("output_norm.weight"))!) == true)

        // Writing the model out as one file drops the split keys (a copy is one model, not part 1 of 3).
        #expect(GGUFWriter(copying: split).metadata.map(\.key) == single.metadata.map(\.key))
    }

    @Test func missingPartIsNamed() throws {
        let dir = try linkedParts([1, 2])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let message = try refusal(dir + "/" + SplitSmolLM2.partName(1))
        #expect(message.hasPrefix("'\(dir)/\(SplitSmolLM2.partName(3))': missing: part 3 of the 3"), "\(message)")
    }

    @Test func laterPartPointsToTheFirst() throws {
        let parts = try SplitSmolLM2.parts()
        let message = try refusal(parts[1])
        #expect(message.contains("is part 2 of 3 of a split model (split.no = 1); open its first part '\(parts[0])'"), "\(message)")
    }

    @Test func firstPartMustKeepItsPartName() throws {
        let dir = try linkedParts([2, 3])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/renamed.gguf", withDestinationPath: try SplitSmolLM2.parts()[0])
        let message = try refusal(dir + "/renamed.gguf")
        #expect(message.contains("split.count = 3 but the name does not end in '-00001-of-00003.gguf'"), "\(message)")
    }

    @Test func inconsistentSplitCountIsRefused() throws {
        let dir = try linkedParts([1, 3])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try rewrite(part: 2, into: dir) { $0.set("split.count", .uint16(4)) }
        let message = try refusal(dir + "/" + SplitSmolLM2.partName(1))
        #expect(message == "'\(dir)/\(SplitSmolLM2.partName(2))': split.count = 4, expected 3 as in the first part '\(dir)/\(SplitSmolLM2.partName(1))'")
    }

    @Test func inconsistentSplitNumberIsRefused() throws {
        let dir = try linkedParts([1, 2])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try rewrite(part: 3, into: dir) { $0.set("split.no", .uint16(1)) }
        let message = try refusal(dir + "/" + SplitSmolLM2.partName(1))
        #expect(message == "'\(dir)/\(SplitSmolLM2.partName(3))': split.no = 1, expected 2 (part 3 of 3)")
    }

    @Test func tensorCountMustMatchTheParts() throws {
        let dir = try linkedParts([1, 2])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try rewrite(part: 3, into: dir, droppingLastTensor: true) { _ in }
        let message = try refusal(dir + "/" + SplitSmolLM2.partName(1))
        #expect(message == "'\(dir)/\(SplitSmolLM2.partName(1))': split.tensors.count = 272 but the 3 parts hold 271 tensors")
    }

    // MARK: Helpers

    /// A scratch directory holding links to the given parts of the split fixture.
    private func linkedParts(_ numbers: [Int]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-splitcase-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let parts = try SplitSmolLM2.parts()
        for n in numbers {
            try FileManager.default.createSymbolicLink(atPath: dir + "/" + SplitSmolLM2.partName(n), withDestinationPath: parts[n - 1])
        }
        return dir
    }

    /// Writes part `part` of the fixture into `dir` with `change` applied to its metadata (and its last tensor
    /// dropped when asked). The part is read as a plain GGUF image: opened by path it would look for the others.
    private func rewrite(part: Int, into dir: String, droppingLastTensor: Bool = false,
                         _ change: (inout GGUFWriter) -> Void) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: try SplitSmolLM2.parts()[part - 1])))
        let source = try GGUFFile(bytes: bytes)
        var writer = GGUFWriter()
        writer.metadata = source.metadata
        for info in droppingLastTensor ? Array(source.tensors.dropLast()) : source.tensors {
            writer.addTensor(name: info.name, dims: info.dims, type: info.type) { source.data(for: info) }
        }
        change(&writer)
        try writer.write(to: dir + "/" + SplitSmolLM2.partName(part))
    }

    /// The one-line message opening `path` fails with.
    private func refusal(_ path: String) throws -> String {
        do {
            _ = try GGUFFile(path: path)
        } catch let error as GGUFError {
            let message = error.errorDescription ?? ""
            #expect(!message.contains("\n"))
            return message
        }
        Issue.record("'\(path)' opened, expected a refusal")
        return ""
    }
}
