// PythonJSON: Python's `json.dumps` output byte for byte (separators ", " and ": ", or "," with an indent;
// float repr; NaN/Infinity; ensure_ascii escapes), which HF's `tojson` filter returns.

enum PythonJSON {
    /// nil when the value holds something json.dumps refuses (Undefined, a namespace, a function, bad keys).
    static func dumps(_ value: Value, indent: String?, separators: (String, String)? = nil,
                      sortKeys: Bool = false, ensureASCII: Bool = false) -> String? {
        let (item, key) = separators ?? (indent == nil ? (", ", ": ") : (",", ": "))
        var out = ""
        func write(_ v: Value, _ level: Int) -> Bool {
            switch v {
            case .none: out += "null"
            case .bool(let b): out += b ? "true" : "false"
            case .int(let i): out += String(i)
            case .float(let d): out += floatText(d)
            case .string(let s): out += quote(s, ensureASCII)
            case .list(let a), .tuple(let a):
                guard !a.isEmpty else { out += "[]"; return true }
                out += "["
                for (i, e) in a.enumerated() {
                    out += i == 0 ? newline(level + 1) : item + newline(level + 1)
                    guard write(e, level + 1) else { return false }
                }
                out += newline(level) + "]"
            case .dict(let d):
                guard !d.isEmpty else { out += "{}"; return true }
                var pairs: [(String, Value)] = []
                for (k, value) in d {
                    switch k {
                    case .string(let s): pairs.append((s, value))
                    case .none: pairs.append(("null", value))
                    case .bool(let b): pairs.append((b ? "true" : "false", value))
                    case .int(let i): pairs.append((String(i), value))
                    case .float(let f): pairs.append((floatText(f), value))
                    default: return false
                    }
                }
                if sortKeys { pairs.sort { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) { $0.value < $1.value } } }
                out += "{"
                for (i, (k, e)) in pairs.enumerated() {
                    out += i == 0 ? newline(level + 1) : item + newline(level + 1)
                    out += quote(k, ensureASCII) + key
                    guard write(e, level + 1) else { return false }
                }
                out += newline(level) + "}"
            case .undefined, .namespace, .callable, .iterator: return false
            }
            return true
        }
        func newline(_ level: Int) -> String {
            guard let indent else { return "" }
            return "\n" + String(repeating: indent, count: level)
        }
        return write(value, 0) ? out : nil
    }

    static func firstUnserializable(_ v: Value) -> String {
        switch v {
        case .undefined: return "Undefined"
        case .namespace: return "Namespace"
        case .callable: return "function"
        case .iterator(let it): return it.kind
        case .list(let a), .tuple(let a): return a.lazy.map(firstUnserializable).first { !$0.isEmpty } ?? ""
        case .dict(let d): return d.lazy.map { firstUnserializable($0.1) }.first { !$0.isEmpty } ?? ""
        default: return ""
        }
    }

    static func floatText(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return pythonFloatRepr(d)
    }

    static func quote(_ s: String, _ ensureASCII: Bool) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if c.value < 0x20 || (ensureASCII && c.value > 0x7F) {
                    if c.value > 0xFFFF {
                        let v = c.value - 0x10000
                        out += u4(0xD800 + (v >> 10)) + u4(0xDC00 + (v & 0x3FF))
                    } else {
                        out += u4(c.value)
                    }
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    private static func u4(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - h.count) + h
    }
}
