// Value: what the interpreter computes with, mirroring the Python objects jinja2 sees (None, bool, int, float,
// str, list, tuple, dict, Undefined, Namespace, callables), with Python's truthiness, equality, ordering and str().

/// A mutable attribute bag (`namespace(...)`); reference semantics as in jinja2.
final class NamespaceBox {
    var attributes: [(String, Value)]
    init(_ attributes: [(String, Value)]) { self.attributes = attributes }
    subscript(name: String) -> Value? {
        get { attributes.first { $0.0 == name }?.1 }
        set {
            guard let newValue else { return }
            if let i = attributes.firstIndex(where: { $0.0 == name }) { attributes[i].1 = newValue }
            else { attributes.append((name, newValue)) }
        }
    }
}

/// A one-shot iterator, as the generators jinja2's `map`, `select`, `unique`, `reverse`, `items` … return:
/// always truthy, no `len()`, and consumed by the first iteration.
final class IteratorBox {
    private var items: [Value]
    let kind: String
    init(_ items: [Value], kind: String = "generator") {
        self.items = items
        self.kind = kind
    }
    func drain() -> [Value] { defer { items = [] }; return items }
    func next() -> Value? { items.isEmpty ? nil : items.removeFirst() }
}

/// A function value: a macro, a global such as `range`, or a bound method such as `'a'.upper`.
struct Callable {
    var name: String
    var body: (_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value
}

enum Value {
    /// jinja2's default `Undefined`: renders as "", falsy, iterates as empty; most other uses raise `message`.
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([Value])
    case tuple([Value])
    /// Ordered like a Python dict.
    case dict([(Value, Value)])
    case namespace(NamespaceBox)
    case callable(Callable)
    case iterator(IteratorBox)

    init(_ json: JSONValue) {
        switch json {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .number(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(a.map(Value.init))
        case .object(let pairs): self = .dict(pairs.map { (.string($0.0), Value($0.1)) })
        }
    }

    var isUndefined: Bool { if case .undefined = self { return true }; return false }
    var isNone: Bool { if case .none = self { return true }; return false }

    /// Python's type name, for error messages.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .callable: return "function"
        case .iterator(let it): return it.kind
        }
    }

    /// jinja2's `object_type_repr`, used in "has no attribute" messages.
    var objectTypeRepr: String { isNone ? "None" : "\(typeName) object" }

    var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let a), .tuple(let a): return !a.isEmpty
        case .dict(let d): return !d.isEmpty
        case .namespace, .callable, .iterator: return true
        }
    }

    /// Numeric view (bool counts as int, as in Python).
    var number: Double? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }
    var integer: Int? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return i
        default: return nil
        }
    }

    /// Python `str(x)`; what `{{ x }}` prints.
    var str: String {
        switch self {
        case .undefined: return ""
        case .string(let s): return s
        default: return repr
        }
    }

    /// Python `repr(x)`.
    var repr: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return pythonFloatRepr(d)
        case .string(let s): return pythonStringRepr(s)
        case .list(let a): return "[" + a.map(\.repr).joined(separator: ", ") + "]"
        case .tuple(let a): return a.count == 1 ? "(\(a[0].repr),)" : "(" + a.map(\.repr).joined(separator: ", ") + ")"
        case .dict(let d): return "{" + d.map { "\($0.0.repr): \($0.1.repr)" }.joined(separator: ", ") + "}"
        case .namespace(let ns):
            return "<Namespace {" + ns.attributes.map { "'\($0.0)': \($0.1.repr)" }.joined(separator: ", ") + "}>"
        case .callable(let c): return "<function \(c.name)>"
        case .iterator(let it): return "<\(it.kind) object>"
        }
    }

    /// Elements when iterated (`for`, `list`, `in`): lists and tuples, dict keys, string characters.
    func iterate() throws -> [Value] {
        switch self {
        case .undefined: return []
        case .list(let a), .tuple(let a): return a
        case .dict(let d): return d.map(\.0)
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .namespace(let ns): return ns.attributes.map { .string($0.0) }
        case .iterator(let it): return it.drain()
        default: throw ChatTemplateError(.runtime, "'\(typeName)' object is not iterable")
        }
    }

    func lookup(key: Value) -> Value? {
        guard case .dict(let d) = self else { return nil }
        return d.first { $0.0 == key }?.1
    }
}

extension Value: Equatable {
    /// Python `==`: numbers compare across int/float/bool, containers element by element, dicts ignore order.
    static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)): return x == y
        case (.dict(let x), .dict(let y)):
            return x.count == y.count && x.allSatisfy { pair in y.contains { $0.0 == pair.0 && $0.1 == pair.1 } }
        case (.namespace(let x), .namespace(let y)): return x === y
        case (.iterator(let x), .iterator(let y)): return x === y
        default:
            if let x = a.number, let y = b.number { return x == y }
            return false
        }
    }
}

extension Value {
    /// Python `<`; raises TypeError-like errors for mixed types.
    static func less(_ a: Value, _ b: Value) throws -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) { $0.value < $1.value }
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            for (l, r) in zip(x, y) where l != r { return try less(l, r) }
            return x.count < y.count
        default:
            if let x = a.integer, let y = b.integer { return x < y }
            if let x = a.number, let y = b.number { return x < y }
            if a.isUndefined || b.isUndefined { throw undefinedError(a.isUndefined ? a : b) }
            throw ChatTemplateError(.runtime, "'<' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }
}

func undefinedError(_ v: Value) -> ChatTemplateError {
    if case .undefined(let message) = v { return ChatTemplateError(.runtime, message) }
    return ChatTemplateError(.runtime, "value is undefined")
}

/// Python's `repr(float)`: shortest round-trip digits; exponent form below 1e-4 and from 1e16 up.
func pythonFloatRepr(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
    // Swift's description gives the same shortest digits; re-layout them by Python's rules.
    var text = "\(abs(d))"
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        exponent = Int(text[text.index(after: e)...]) ?? 0
        text = String(text[..<e])
    }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    var intPart = String(parts[0])
    var fracPart = parts.count > 1 ? String(parts[1]) : ""
    if fracPart == "0" { fracPart = "" }
    // digits × 10^(pointPosition - digits.count)
    var digits = intPart + fracPart
    var point = intPart.count + exponent
    while digits.hasPrefix("0"), digits.count > 1 { digits.removeFirst(); point -= 1 }
    while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
    let sciExponent = point - 1
    let sign = d < 0 ? "-" : ""
    if sciExponent < -4 || sciExponent >= 16 {
        let mantissa = digits.count > 1 ? "\(digits.first!).\(digits.dropFirst())" : digits
        let e = abs(sciExponent) < 10 ? "0\(abs(sciExponent))" : "\(abs(sciExponent))"
        return "\(sign)\(mantissa)e\(sciExponent < 0 ? "-" : "+")\(e)"
    }
    if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
    if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) + ".0" }
    intPart = String(digits.prefix(point))
    return sign + intPart + "." + digits.dropFirst(point)
}

/// Python's `repr(str)`: single quotes unless the text has ' and no ", escapes for non-printables.
func pythonStringRepr(_ s: String) -> String {
    let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
    var out = String(quote)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if Character(scalar) == quote { out += "\\\(quote)"; continue }
            if isPythonPrintable(scalar) { out.unicodeScalars.append(scalar); continue }
            let v = scalar.value
            if v < 0x100 { out += "\\x" + hex(v, 2) } else if v < 0x10000 { out += "\\u" + hex(v, 4) } else { out += "\\U" + hex(v, 8) }
        }
    }
    out.append(quote)
    return out
}

private func hex(_ v: UInt32, _ width: Int) -> String {
    let h = String(v, radix: 16)
    return String(repeating: "0", count: max(0, width - h.count)) + h
}

private func isPythonPrintable(_ s: Unicode.Scalar) -> Bool {
    if s == " " { return true }
    switch s.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
        return false
    default: return true
    }
}
