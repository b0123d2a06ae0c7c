// Filters: jinja2's built-in filters as chat templates use them, plus HF's `tojson` override
// (`json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)`).
import Foundation

extension Interpreter {
    func applyFilter(_ name: String, to value: Value, args: EvaluatedArguments) throws -> Value {
        let a = FilterArguments(args)
        switch name {
        case "safe", "e", "escape", "forceescape":
            // Both return Markup, a str.
            return .string(name == "safe" ? value.str : htmlEscape(value.str))
        case "string": return .string(value.str)
        case "trim": return .string(pythonStrip(value.str, chars: a.value(0, "chars").map(\.str), left: true, right: true))
        case "upper": return .string(value.str.uppercased())
        case "lower": return .string(value.str.lowercased())
        case "capitalize": return .string(pythonCapitalize(value.str))
        case "title": return .string(jinjaTitle(value.str))
        case "length", "count": return .int(try length(value))
        case "default", "d":
            let useDefault = value.isUndefined || ((a.value(1, "boolean")?.truthy ?? false) && !value.truthy)
            return useDefault ? (a.value(0, "default_value") ?? .string("")) : value
        case "first":
            if case .iterator(let it) = value { return it.next() ?? .undefined("No first item, sequence was empty.") }
            return try value.iterate().first ?? .undefined("No first item, sequence was empty.")
        case "last":
            if case .iterator(let it) = value { throw ChatTemplateError(.runtime, "'\(it.kind)' object is not reversible") }
            return try value.iterate().last ?? .undefined("No last item, sequence was empty.")
        case "list": return .list(try value.iterate())
        case "items":
            if value.isUndefined { return .iterator(IteratorBox([])) }
            guard case .dict(let d) = value else { throw ChatTemplateError(.runtime, "Can only get item pairs from a mapping.") }
            return .iterator(IteratorBox(d.map { .tuple([$0.0, $0.1]) }))
        case "join":
            var items = try value.iterate()
            if let attribute = a.value(1, "attribute") { items = try items.map { try attributeGetter(attribute)($0) } }
            return try checkSize(items.map(\.str).joined(separator: a.value(0, "d")?.str ?? ""))
        case "replace":
            guard let old = a.value(0, "old"), let new = a.value(1, "new") else { throw ChatTemplateError(.runtime, "replace needs old and new") }
            return try checkSize(pythonReplace(value.str, old.str, new.str, count: a.value(2, "count")?.integer ?? -1))
        case "int" where value.isUndefined, "float" where value.isUndefined:
            throw undefinedError(value)
        case "int": return toInt(value, default: a.value(0, "default") ?? .int(0), base: a.value(1, "base")?.integer ?? 10)
        case "float": return toFloat(value, default: a.value(0, "default") ?? .float(0))
        case "abs":
            if let i = value.integer { return .int(abs(i)) }
            if let d = value.number { return .float(abs(d)) }
            throw ChatTemplateError(.runtime, "bad operand type for abs(): '\(value.typeName)'")
        case "round": return try round(value, a)
        case "tojson": return .string(try toJSON(value, a))
        case "indent": return .string(try indent(value, a))
        case "center":
            let width = a.value(0, "width")?.integer ?? 80, s = value.str, n = s.unicodeScalars.count
            guard width > n else { return .string(s) }
            let left = (width - n) / 2 + ((width - n) & width & 1)
            return .string(String(repeating: " ", count: left) + s + String(repeating: " ", count: width - n - left))
        case "wordcount": return .int(value.str.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" }).count)
        case "reverse":
            if case .string(let s) = value { return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed()))) }
            if case .iterator(let it) = value { throw ChatTemplateError(.runtime, "'\(it.kind)' object is not reversible") }
            return .iterator(IteratorBox(try value.iterate().reversed(), kind: "list_reverseiterator"))
        default:
            return try applyCollectionFilter(name, to: value, args: args)
        }
    }

    /// Filters over sequences: ordering, selecting, mapping, aggregating.
    private func applyCollectionFilter(_ name: String, to value: Value, args: EvaluatedArguments) throws -> Value {
        let a = FilterArguments(args)
        switch name {
        case "unique": return .iterator(IteratorBox(try unique(value, a)))
        case "sort": return .list(try sort(value, a))
        case "dictsort": return .list(try dictsort(value, a))
        case "min", "max":
            let sorted = try sort(value, FilterArguments(EvaluatedArguments(keyword: [("case_sensitive", a.value(0, "case_sensitive") ?? .bool(false)), ("attribute", a.value(1, "attribute") ?? .none)])))
            return (name == "min" ? sorted.first : sorted.last) ?? .undefined("No aggregated item, sequence was empty.")
        case "sum":
            var items = try value.iterate()
            if let attribute = a.value(0, "attribute"), !attribute.isNone { items = try items.map { try attributeGetter(attribute)($0) } }
            return try items.reduce(a.value(1, "start") ?? .int(0)) { try binary("+", $0, $1) }
        case "map": return .iterator(IteratorBox(try map(value, args)))
        case "select", "reject", "selectattr", "rejectattr":
            return .iterator(IteratorBox(try select(value, args, byAttribute: name.hasSuffix("attr"), keep: name.hasPrefix("select"))))
        case "attr":
            // Python getattr only: dict keys are not attributes.
            guard case .string(let n)? = a.value(0, "name") else { throw ChatTemplateError(.runtime, "attr needs a name") }
            if case .namespace(let ns) = value { return ns[n] ?? .undefined("'Namespace' object has no attribute '\(n)'") }
            return try method(value, n) ?? .undefined("'\(value.objectTypeRepr)' has no attribute '\(n)'")
        case "format":
            return .string(try percentFormat(value.str, args.keyword.isEmpty ? .tuple(args.positional) : .dict(args.keyword.map { (.string($0.0), $0.1) })))
        case "batch", "groupby", "random", "slice", "pprint", "urlencode", "striptags", "truncate", "wordwrap", "xmlattr", "filesizeformat", "urlize":
            throw ChatTemplateError(.runtime, "filter '\(name)' is not supported")
        default:
            throw ChatTemplateError(.syntax, "no filter named '\(name)'")
        }
    }

    func length(_ value: Value) throws -> Int {
        switch value {
        case .undefined: return 0
        case .string(let s): return s.unicodeScalars.count
        case .list(let a), .tuple(let a): return a.count
        case .dict(let d): return d.count
        case .namespace(let ns): return ns.attributes.count
        default: throw ChatTemplateError(.runtime, "object of type '\(value.typeName)' has no len()")
        }
    }

    /// jinja2's `make_attrgetter`: "a.b.0" walks items/attributes; integer parts index.
    func attributeGetter(_ attribute: Value, default fallback: Value? = nil) throws -> (Value) throws -> Value {
        let parts: [Value]
        if case .string(let path) = attribute {
            parts = path.split(separator: ".").map { Int($0).map(Value.int) ?? .string(String($0)) }
        } else {
            parts = [attribute]
        }
        return { item in
            var v = item
            for p in parts {
                v = try self.getItem(v, p)
                if v.isUndefined, let fallback { return fallback }
            }
            return v
        }
    }

    private func map(_ value: Value, _ args: EvaluatedArguments) throws -> [Value] {
        // jinja2: `if value: for item in value` — a falsy non-iterable maps to nothing.
        let items = value.truthy ? try value.iterate() : []
        if let attribute = args.keyword.first(where: { $0.0 == "attribute" })?.1 {
            let get = try attributeGetter(attribute, default: args.keyword.first { $0.0 == "default" }?.1)
            return try items.map(get)
        }
        guard case .string(let filter)? = args.positional.first else { throw ChatTemplateError(.runtime, "map requires a filter argument") }
        let rest = EvaluatedArguments(positional: Array(args.positional.dropFirst()), keyword: args.keyword)
        return try items.map { try applyFilter(filter, to: $0, args: rest) }
    }

    private func select(_ value: Value, _ args: EvaluatedArguments, byAttribute: Bool, keep: Bool) throws -> [Value] {
        var positional = args.positional
        var get: (Value) throws -> Value = { $0 }
        if byAttribute {
            guard !positional.isEmpty else { throw ChatTemplateError(.runtime, "missing parameter for attribute name") }
            get = try attributeGetter(positional.removeFirst())
        }
        var test: ((Value) throws -> Bool) = { $0.truthy }
        if !positional.isEmpty {
            guard case .string(let testName) = positional.removeFirst() else { throw ChatTemplateError(.runtime, "test name must be a string") }
            let testArgs = positional
            test = { try self.applyTest(testName, to: $0, args: testArgs) }
        }
        return try (value.truthy ? value.iterate() : []).filter { try test(try get($0)) == keep }
    }

    private func sortKey(_ caseSensitive: Bool) -> (Value) -> Value {
        { v in
            if !caseSensitive, case .string(let s) = v { return .string(s.lowercased()) }
            return v
        }
    }

    private func sort(_ value: Value, _ a: FilterArguments) throws -> [Value] {
        let reverse = a.value(0, "reverse")?.truthy ?? false
        let key = sortKey(a.value(1, "case_sensitive")?.truthy ?? false)
        var get: (Value) throws -> Value = { $0 }
        if let attribute = a.value(2, "attribute"), !attribute.isNone { get = try attributeGetter(attribute) }
        let keyed = try value.iterate().map { (key(try get($0)), $0) }
        return try stableSort(keyed, reverse: reverse).map(\.1)
    }

    func stableSort(_ items: [(Value, Value)], reverse: Bool) throws -> [(Value, Value)] {
        var error: Error?
        let sorted = items.enumerated().sorted { l, r in
            do {
                if try Value.less(l.element.0, r.element.0) { return !reverse }
                if try Value.less(r.element.0, l.element.0) { return reverse }
            } catch let e { error = e }
            return l.offset < r.offset
        }
        if let error { throw error }
        return sorted.map(\.element)
    }

    private func dictsort(_ value: Value, _ a: FilterArguments) throws -> [Value] {
        guard case .dict(let d) = value else { throw ChatTemplateError(.runtime, "dictsort needs a mapping") }
        let key = sortKey(a.value(0, "case_sensitive")?.truthy ?? false)
        let byValue = a.value(1, "by")?.str == "value"
        let keyed = d.map { (key(byValue ? $0.1 : $0.0), Value.tuple([$0.0, $0.1])) }
        return try stableSort(keyed, reverse: a.value(2, "reverse")?.truthy ?? false).map(\.1)
    }

    private func unique(_ value: Value, _ a: FilterArguments) throws -> [Value] {
        let key = sortKey(a.value(0, "case_sensitive")?.truthy ?? false)
        var get: (Value) throws -> Value = { $0 }
        if let attribute = a.value(1, "attribute"), !attribute.isNone { get = try attributeGetter(attribute) }
        var seen: [Value] = [], out: [Value] = []
        for item in try value.iterate() {
            let k = key(try get(item))
            if !seen.contains(k) { seen.append(k); out.append(item) }
        }
        return out
    }

    private func round(_ value: Value, _ a: FilterArguments) throws -> Value {
        guard let x = value.number else { throw ChatTemplateError(.runtime, "round needs a number") }
        let precision = a.value(0, "precision")?.integer ?? 0
        let method = a.value(1, "method")?.str ?? "common"
        let scale = pow(10.0, Double(precision))
        switch method {
        case "ceil": return .float(ceil(x * scale) / scale)
        case "floor": return .float(floor(x * scale) / scale)
        default:
            return pythonRound(value, x, precision)
        }
    }

    /// Python's `round(x, n)`: ints stay ints (half-even at negative n); floats round their exact binary value
    /// half-even to n decimals (what C's printf does), so round(2.675, 2) == 2.67.
    private func pythonRound(_ value: Value, _ x: Double, _ precision: Int) -> Value {
        if let i = value.integer {
            guard precision < 0, precision > -19 else { return .int(i) }
            var unit = 1
            for _ in 0..<(-precision) { unit *= 10 }
            var q = i / unit, r = i % unit
            if r < 0 { q -= 1; r += unit }
            if 2 * r > unit || (2 * r == unit && q % 2 != 0) { q += 1 }
            return .int(q * unit)
        }
        guard x.isFinite else { return .float(x) }
        if precision >= 0 { return .float(Double(String(format: "%.\(min(precision, 300))f", x)) ?? x) }
        let unit = pow(10.0, Double(-precision))
        return .float((x / unit).rounded(.toNearestOrEven) * unit)
    }

    private func toJSON(_ value: Value, _ a: FilterArguments) throws -> String {
        let ensureASCII = a.value(0, "ensure_ascii")?.truthy ?? false
        let indentValue = a.value(1, "indent")
        var separators: (String, String)? = nil
        if let s = a.value(2, "separators"), let pair = try? s.iterate(), pair.count == 2 { separators = (pair[0].str, pair[1].str) }
        let sortKeys = a.value(3, "sort_keys")?.truthy ?? false
        var indent: String? = nil
        if let i = indentValue?.integer { indent = String(repeating: " ", count: max(0, i)) }
        else if case .string(let s)? = indentValue { indent = s }
        guard let text = PythonJSON.dumps(value, indent: indent, separators: separators, sortKeys: sortKeys, ensureASCII: ensureASCII) else {
            throw ChatTemplateError(.runtime, "Object of type \(PythonJSON.firstUnserializable(value)) is not JSON serializable")
        }
        return text
    }

    private func indent(_ value: Value, _ a: FilterArguments) throws -> String {
        // jinja2 appends "\n" to the value itself, which only a str survives.
        guard case .string(let s) = value else {
            if value.isUndefined { throw undefinedError(value) }
            throw ChatTemplateError(.runtime, "unsupported operand type(s) for +=: '\(value.typeName)' and 'str'")
        }
        let width = a.value(0, "width") ?? .int(4)
        let first = a.value(1, "first")?.truthy ?? false, blank = a.value(2, "blank")?.truthy ?? false
        let indention = width.integer.map { String(repeating: " ", count: max(0, $0)) } ?? width.str
        var lines = (s + "\n").split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var rv: String
        if blank {
            rv = lines.joined(separator: "\n" + indention)
        } else {
            rv = lines.isEmpty ? "" : lines.removeFirst()
            if !lines.isEmpty { rv += "\n" + lines.map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n") }
        }
        return first ? indention + rv : rv
    }

    private func toInt(_ value: Value, default fallback: Value, base: Int) -> Value {
        switch value {
        case .int, .bool: return .int(value.integer!)
        case .float(let d): return d.isFinite && abs(d) < 9e18 ? .int(Int(d)) : fallback
        case .string(let s):
            let t = pythonStrip(s, chars: nil, left: true, right: true).replacingOccurrences(of: "_", with: "")
            if let i = Int(t, radix: base) { return .int(i) }
            if let d = Double(t), d.isFinite, abs(d) < 9e18 { return .int(Int(d)) }
            return fallback
        default: return fallback
        }
    }

    private func toFloat(_ value: Value, default fallback: Value) -> Value {
        if let d = value.number { return .float(d) }
        if case .string(let s) = value, let d = Double(pythonStrip(s, chars: nil, left: true, right: true)) { return .float(d) }
        return fallback
    }
}

/// Filter arguments by position or keyword (positions count after the filtered value).
struct FilterArguments {
    var args: EvaluatedArguments
    init(_ args: EvaluatedArguments) { self.args = args }
    func value(_ position: Int, _ keyword: String) -> Value? {
        if position < args.positional.count { return args.positional[position] }
        return args.keyword.first { $0.0 == keyword }?.1
    }
}

func htmlEscape(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&#34;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

/// jinja2's `title` filter: capitalise each word split at whitespace, `-`, `(`, `{`, `[`, `<`.
func jinjaTitle(_ s: String) -> String {
    var out = ""
    var atWordStart = true
    for scalar in s.unicodeScalars {
        let isBoundary = isPythonSpace(scalar) || "-({[<".unicodeScalars.contains(scalar)
        if isBoundary { out.unicodeScalars.append(scalar); atWordStart = true; continue }
        out += atWordStart ? scalar.properties.uppercaseMapping : String(scalar).lowercased()
        atWordStart = false
    }
    return out
}
