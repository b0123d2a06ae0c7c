// Cross-check against llama.cpp's own reader (the PyPI `gguf` package): Tests/Fixtures/gguf_dump.py dumps every
// metadata key (type and value; big arrays as count + sha256 + first/last elements) and every tensor's name, type,
// shape (ggml order) and offset; our parse must agree on all of it.
import Foundation
import GGUF
import LatheTestSupport
import Testing

/// Runs gguf_dump.py on `path` and returns its JSON object.
func pythonDump(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    let script = TestPaths.fixture("gguf_dump.py").path
    let result = try Run.process("/usr/bin/env", ["python3", script, path])
    try #require(result.status == 0,
                 "gguf_dump.py failed (needs python3 and `pip install gguf`): \(result.stderr.suffix(2000))",
                 sourceLocation: sourceLocation)
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    return try #require(object as? [String: Any], sourceLocation: sourceLocation)
}

/// Names gguf-py gives the value types.
let pythonTypeNames: [GGUFValueType: String] = [
    .uint8: "UINT8", .int8: "INT8", .uint16: "UINT16", .int16: "INT16", .uint32: "UINT32", .int32: "INT32",
    .float32: "FLOAT32", .bool: "BOOL", .string: "STRING", .array: "ARRAY", .uint64: "UINT64", .int64: "INT64",
    .float64: "FLOAT64",
]

/// The canonical encoding gguf_dump.py hashes: the array's elements as GGUF writes them.
func canonicalBody(_ array: GGUFArray) -> [UInt8] {
    var out: [UInt8] = []
    func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    func body(_ a: GGUFArray) {
        switch a {
        case .uint8(let v): out.append(contentsOf: v)
        case .int8(let v): v.forEach { put($0) }
        case .uint16(let v): v.forEach { put($0) }
        case .int16(let v): v.forEach { put($0) }
        case .uint32(let v): v.forEach { put($0) }
        case .int32(let v): v.forEach { put($0) }
        case .float32(let v): v.forEach { put($0.bitPattern) }
        case .bool(let v): v.forEach { out.append($0 ? 1 : 0) }
        case .string(let v): v.forEach { put(UInt64($0.utf8.count)); out.append(contentsOf: $0.utf8) }
        case .uint64(let v): v.forEach { put($0) }
        case .int64(let v): v.forEach { put($0) }
        case .float64(let v): v.forEach { put($0.bitPattern) }
        case .array(let v):
            for inner in v {
                put(inner.elementType.rawValue)
                put(UInt64(inner.count))
                body(inner)
            }
        }
    }
    body(array)
    return out
}

/// One element of an array as a comparable value (nested arrays as their summary dictionary).
private func elements(_ array: GGUFArray) -> [Any] {
    switch array {
    case .uint8(let v): return v.map { Int($0) }
    case .int8(let v): return v.map { Int($0) }
    case .uint16(let v): return v.map { Int($0) }
    case .int16(let v): return v.map { Int($0) }
    case .uint32(let v): return v.map { Int($0) }
    case .int32(let v): return v.map { Int($0) }
    case .float32(let v): return v.map { Double($0) }
    case .bool(let v): return v
    case .string(let v): return v
    case .uint64(let v): return v.map { $0 }
    case .int64(let v): return v.map { Int($0) }
    case .float64(let v): return v
    case .array(let v): return v.map(summary)
    }
}

/// The dictionary gguf_dump.py prints for an array (without "type").
func summary(_ array: GGUFArray) -> [String: Any] {
    let all = elements(array)
    var out: [String: Any] = [
        "element_type": pythonTypeNames[array.elementType]!,
        "count": array.count,
        "sha256": SHA256.hex(canonicalBody(array)),
        "first": Array(all.prefix(4)),
        "last": Array(all.suffix(4)),
    ]
    if array.count <= 64 { out["values"] = all }
    return out
}

/// Our value as gguf_dump.py prints it (scalar or string as "value"; an array as its summary).
func pythonEntry(key: String, value: GGUFValue) -> [String: Any] {
    var out: [String: Any] = ["key": key, "type": pythonTypeNames[value.type]!]
    switch value {
    case .array(let a): out.merge(summary(a)) { $1 }
    case .string(let s): out["value"] = s
    case .bool(let b): out["value"] = b
    case .float32(let f): out["value"] = Double(f)
    case .float64(let d): out["value"] = d
    case .uint64(let u): out["value"] = u
    default: out["value"] = value.int!
    }
    return out
}

/// Compares a value parsed from Python's JSON with ours; returns a description of the first difference.
func difference(_ python: Any?, _ ours: Any, path: String) -> String? {
    switch ours {
    case let s as String:
        return python as? String == s ? nil : "\(path): python \(String(describing: python)) != ours \(s)"
    case let b as Bool:
        return (python as? NSNumber)?.boolValue == b && !(python is String) ? nil : "\(path): python \(String(describing: python)) != ours \(b)"
    case let i as Int:
        return (python as? NSNumber)?.int64Value == Int64(i) ? nil : "\(path): python \(String(describing: python)) != ours \(i)"
    case let u as UInt64:
        return (python as? NSNumber)?.uint64Value == u ? nil : "\(path): python \(String(describing: python)) != ours \(u)"
    case let d as Double:
        // gguf_dump.py prints floats as Python repr strings (shortest round-trip form), parsed here exactly.
        guard let text = python as? String, let p = Double(text) else { return "\(path): python float \(String(describing: python))" }
        let same = d.isNaN ? p.isNaN : (p == d && p.sign == d.sign)
        return same ? nil : "\(path): python \(text) != ours \(d)"
    case let dict as [String: Any]:
        guard let p = python as? [String: Any] else { return "\(path): python has no object" }
        if Set(p.keys) != Set(dict.keys) { return "\(path): keys python \(p.keys.sorted()) != ours \(dict.keys.sorted())" }
        for (k, v) in dict.sorted(by: { $0.key < $1.key }) {
            if let d = difference(p[k], v, path: "\(path).\(k)") { return d }
        }
        return nil
    case let list as [Any]:
        guard let p = python as? [Any] else { return "\(path): python has no list" }
        if p.count != list.count { return "\(path): python has \(p.count) elements, ours \(list.count)" }
        for (i, (a, b)) in zip(p, list).enumerated() {
            if let d = difference(a, b, path: "\(path)[\(i)]") { return d }
        }
        return nil
    default:
        return "\(path): cannot compare \(type(of: ours))"
    }
}

/// Asserts that our parse of `file` agrees with gguf-py's dump of the same file in every key and tensor.
func expectAgreesWithPython(_ file: GGUFFile, _ dump: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(dump["version"] as? Int == Int(file.version), sourceLocation: sourceLocation)
    #expect(dump["tensor_count"] as? Int == file.tensors.count, sourceLocation: sourceLocation)
    #expect(dump["kv_count"] as? Int == file.metadata.count, sourceLocation: sourceLocation)
    #expect(dump["alignment"] as? Int == file.alignment, sourceLocation: sourceLocation)
    #expect(dump["data_offset"] as? Int == file.dataOffset, sourceLocation: sourceLocation)

    let metadata = dump["metadata"] as? [[String: Any]] ?? []
    #expect(metadata.map { $0["key"] as? String ?? "?" } == file.metadata.map(\.key), "metadata keys or order differ",
            sourceLocation: sourceLocation)
    for (python, ours) in zip(metadata, file.metadata) {
        let d = difference(python, pythonEntry(key: ours.key, value: ours.value), path: ours.key)
        #expect(d == nil, "\(d ?? "")", sourceLocation: sourceLocation)
    }

    let tensors = dump["tensors"] as? [[String: Any]] ?? []
    #expect(tensors.count == file.tensors.count, sourceLocation: sourceLocation)
    for (python, ours) in zip(tensors, file.tensors) {
        let expected: [String: Any] = [
            "name": ours.name, "type": ours.type.name, "type_id": Int(ours.type.rawValue), "shape": ours.dims,
            "offset": Int(ours.offset), "n_elements": ours.elementCount, "n_bytes": ours.byteCount,
        ]
        let d = difference(python, expected, path: ours.name)
        #expect(d == nil, "\(d ?? "")", sourceLocation: sourceLocation)
    }
}

@Suite struct PythonCrossCheckTests {
    @Test func smolLM2AgreesWithGGUFPy() throws {
        let file = try GGUFFile(path: TestPaths.smollm2)
        let dump = try pythonDump(TestPaths.smollm2)
        expectAgreesWithPython(file, dump)
        // Spot checks that the comparison is not vacuous.
        #expect(file.metadata.count == 33 && file.tensors.count == 272)
        let tokens = (dump["metadata"] as? [[String: Any]])?.first { $0["key"] as? String == "tokenizer.ggml.tokens" }
        #expect(tokens?["count"] as? Int == 49152)
        #expect(file.parameterCount == 134_515_008)
    }

    @Test func gemma3AgreesWithGGUFPy() throws {
        let file = try GGUFFile(path: TestPaths.gemma3)
        let dump = try pythonDump(TestPaths.gemma3)
        expectAgreesWithPython(file, dump)
        #expect(file.metadata.count == 33 && file.tensors.count == 236)
        #expect(file.parameterCount == 268_098_176)
        #expect(file.array("tokenizer.ggml.scores")?.count == 262_144)
    }

    /// Every GGMLType we know has gguf-py's id, name, block size and block bytes.
    @Test func typeGeometryAgreesWithGGUFPy() throws {
        let result = try Run.process("/usr/bin/env", ["python3", TestPaths.fixture("gguf_dump.py").path, "--quant-sizes"])
        try #require(result.status == 0, "\(result.stderr)")
        let sizes = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [Int]])
        // Q8_1 is the exception: gguf-py's table says 40 bytes, but ggml's block_q8_1 (fp16 d, fp16 s, 32 int8) is
        // 36 and GGMLType follows ggml. No model file stores Q8_1 (it is a dot-product intermediate).
        for type in GGMLType.allCases where type != .q8_1 {
            let python = sizes[type.name]
            #expect(python == [Int(type.rawValue), type.blockSize, type.typeSize], "\(type.name): gguf-py says \(python ?? [])")
        }
        // Types gguf-py knows that we do not (files using them are rejected as unknown tensor types).
        let unknown = sizes.keys.filter { GGMLType(name: $0) == nil }.sorted()
        print("ggml types known to gguf-py but not to GGMLType: \(unknown)")
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1000)) ==
                "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
