// Reads fine-tuning data: JSON arrays or JSONL rows in the alpaca, chat (`messages`) and ShareGPT
// (`conversations`) formats, or raw text. The format is detected per row from its keys unless forced.
// Every bad row fails with "FILE:LINE: what is wrong and what was expected".
import Foundation
import Tokenizers

public enum DatasetReader {
    /// Reads every record of `path`. Raw text files (.txt, .md, or `format: .text` on a non-JSON file) are one record.
    public static func read(path: String, format: DatasetFormat? = nil) throws -> [DatasetRecord] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainerError.badData(path, "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw TrainerError.badData(path, "is not UTF-8 text") }
        let name = (path as NSString).lastPathComponent
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "txt" || ext == "md" || (format == .text && ext != "json" && ext != "jsonl") {
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw TrainerError.badData(path, "is empty") }
            return [DatasetRecord(.text(text), location: "\(name):1")]
        }
        let rows = try jsonRows(text, path: path, name: name)
        guard !rows.isEmpty else { throw TrainerError.badData(path, "has no rows") }
        return try rows.map { try record($0.object, location: "\(name):\($0.line)", format: format) }
    }

    /// Top-level objects with their 1-based line: one per line for JSONL, the elements of an array for JSON.
    static func jsonRows(_ text: String, path: String, name: String) throws -> [(object: [String: Any], line: Int)] {
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.first == "[" {
            guard let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] else {
                throw TrainerError.badData(path, "is not valid JSON (expected an array of objects or one object per line)")
            }
            let lines = elementLines(text)
            return try array.enumerated().map { index, element in
                let line = index < lines.count ? lines[index] : 1
                guard let object = element as? [String: Any] else {
                    throw TrainerError.badData("\(name):\(line)", "element \(index) is not a JSON object")
                }
                return (object, line)
            }
        }
        var rows: [(object: [String: Any], line: Int)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TrainerError.badData("\(name):\(index + 1)", "is not a JSON object")
            }
            rows.append((object, index + 1))
        }
        return rows
    }

    /// The line on which each element of a top-level JSON array starts (strings and nesting respected).
    static func elementLines(_ text: String) -> [Int] {
        var lines: [Int] = [], line = 1, depth = 0
        var inString = false, escaped = false, inScalar = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            let isSeparator = [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"),
                               UInt8(ascii: ","), UInt8(ascii: ":")].contains(byte)
            if isSeparator || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") { inScalar = false }
            switch byte {
            case UInt8(ascii: "\""):
                if depth == 1 { lines.append(line) }
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 1 { lines.append(line) }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default:
                if !isSeparator && !inScalar {
                    if depth == 1 { lines.append(line) }  // a bare number, true, false or null
                    inScalar = true
                }
            }
        }
        return lines
    }

    static func record(_ row: [String: Any], location: String, format: DatasetFormat?) throws -> DatasetRecord {
        func fail(_ why: String) -> TrainerError { .badData(location, why) }
        let detected: DatasetFormat
        if let format { detected = format } else if row["messages"] != nil { detected = .chat }
        else if row["conversations"] != nil { detected = .sharegpt }
        else if row["instruction"] != nil || row["output"] != nil { detected = .alpaca }
        else if row["text"] != nil { detected = .text }
        else {
            throw fail("expected \"messages\" (chat), \"conversations\" (ShareGPT), \"instruction\"+\"output\" (alpaca) or \"text\"; found keys \(row.keys.sorted())")
        }
        switch detected {
        case .text:
            guard let text = row["text"] as? String, !text.isEmpty else { throw fail("\"text\" must be a non-empty string") }
            return DatasetRecord(.text(text), location: location)
        case .alpaca:
            guard let instruction = row["instruction"] as? String, !instruction.isEmpty else {
                throw fail("\"instruction\" must be a non-empty string")
            }
            guard let output = row["output"] as? String, !output.isEmpty else { throw fail("\"output\" must be a non-empty string") }
            if let input = row["input"], !(input is String) { throw fail("\"input\" must be a string") }
            let input = row["input"] as? String ?? ""
            var messages: [ChatMessage] = []
            if let system = row["system"] as? String, !system.isEmpty { messages.append(.system(system)) }
            messages.append(.user(input.isEmpty ? instruction : instruction + "\n\n" + input))
            messages.append(.assistant(output))
            return DatasetRecord(.conversation(messages), location: location)
        case .chat, .sharegpt:
            let key = detected == .chat ? "messages" : "conversations"
            guard let list = row[key] as? [Any], !list.isEmpty else { throw fail("\"\(key)\" must be a non-empty array") }
            var messages: [ChatMessage] = []
            for (index, item) in list.enumerated() {
                guard let item = item as? [String: Any] else { throw fail("\(key)[\(index)] is not an object") }
                let roleKey = detected == .chat ? "role" : "from", contentKey = detected == .chat ? "content" : "value"
                guard let rawRole = item[roleKey] as? String else { throw fail("\(key)[\(index)] has no string \"\(roleKey)\"") }
                guard let role = Self.role(rawRole) else {
                    throw fail("\(key)[\(index)].\(roleKey) is '\(rawRole)'; expected system, user or assistant (human/gpt in ShareGPT)")
                }
                guard let content = item[contentKey] as? String else {
                    throw fail("\(key)[\(index)] has no string \"\(contentKey)\"")
                }
                messages.append(ChatMessage(role: role, content: content))
            }
            guard messages.contains(where: { $0.role == "assistant" && !($0.content ?? "").isEmpty }) else {
                throw fail("has no non-empty assistant message to learn from")
            }
            return DatasetRecord(.conversation(messages), location: location)
        }
    }

    static func role(_ raw: String) -> String? {
        switch raw.lowercased() {
        case "system": "system"
        case "user", "human": "user"
        case "assistant", "gpt", "model", "bot": "assistant"
        default: nil
        }
    }
}
