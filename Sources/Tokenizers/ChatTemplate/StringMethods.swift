// Python `str` methods as templates call them (`content.strip()`, `s.split('</think>')[-1]`, `'{}'.format(x)`),
// and `%`-formatting. Strings are measured and indexed in Unicode scalars, as Python does.

extension Interpreter {
    func stringMethod(_ s: String, _ name: String) -> Value? {
        func arg(_ args: [Value], _ i: Int) -> Value? { i < args.count && !args[i].isNone ? args[i] : nil }
        func text(_ v: Value?, _ method: String) throws -> String? {
            guard let v else { return nil }
            guard case .string(let t) = v else { throw ChatTemplateError(.runtime, "\(method) arg must be None or str") }
            return t
        }
        switch name {
        case "strip", "lstrip", "rstrip":
            return bound(name) { args, _ in
                .string(pythonStrip(s, chars: try text(arg(args, 0), name), left: name != "rstrip", right: name != "lstrip"))
            }
        case "startswith", "endswith":
            return bound(name) { args, _ in
                guard let a = args.first else { throw ChatTemplateError(.runtime, "\(name) takes at least 1 argument") }
                var candidates: [Value] = [a]
                if case .tuple(let t) = a { candidates = t }
                let subject = try args.count > 1 ? self.slice(.string(s), start: args[1], stop: args.count > 2 ? args[2] : nil, step: nil).str : s
                for c in candidates {
                    guard case .string(let p) = c else {
                        throw ChatTemplateError(.runtime, "\(name) first arg must be str or a tuple of str, not \(c.typeName)")
                    }
                    if name == "startswith" ? subject.unicodeScalars.starts(with: p.unicodeScalars)
                        : subject.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed()) { return .bool(true) }
                }
                return .bool(false)
            }
        case "split", "rsplit":
            return bound(name) { args, kwargs in
                let sep = try text(arg(args, 0) ?? kwargs.first { $0.0 == "sep" }?.1, name)
                let maxsplit = (arg(args, 1) ?? kwargs.first { $0.0 == "maxsplit" }?.1)?.integer ?? -1
                return .list(try pythonSplit(s, sep: sep, maxsplit: maxsplit, fromRight: name == "rsplit").map { .string($0) })
            }
        case "splitlines":
            return bound(name) { _, _ in .list(s.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { .string(String($0)) }.dropLastIfEmpty()) }
        case "upper": return bound(name) { _, _ in .string(s.uppercased()) }
        case "lower", "casefold": return bound(name) { _, _ in .string(s.lowercased()) }
        case "title": return bound(name) { _, _ in .string(pythonTitle(s)) }
        case "capitalize": return bound(name) { _, _ in .string(pythonCapitalize(s)) }
        case "swapcase":
            return bound(name) { _, _ in
                .string(String(s.map { $0.isUppercase ? Character($0.lowercased()) : Character($0.uppercased()) }))
            }
        case "replace":
            return bound(name) { args, _ in
                guard args.count >= 2, case .string(let old) = args[0], case .string(let new) = args[1] else {
                    throw ChatTemplateError(.runtime, "replace() takes two str arguments")
                }
                return try self.checkSize(pythonReplace(s, old, new, count: args.count > 2 ? args[2].integer ?? -1 : -1))
            }
        default:
            return searchOrTestMethod(s, name)
        }
    }

    /// The second half of `str`'s methods: searching, joining, formatting and the `is…` predicates.
    private func searchOrTestMethod(_ s: String, _ name: String) -> Value? {
        switch name {
        case "find", "rfind", "index", "rindex", "count":
            return bound(name) { args, _ in
                guard case .string(let needle)? = args.first else { throw ChatTemplateError(.runtime, "\(name)() argument must be str") }
                let hay = Array(s.unicodeScalars), n = Array(needle.unicodeScalars)
                var hits: [Int] = []
                var i = 0
                while i + n.count <= hay.count {
                    if Array(hay[i..<i + n.count]) == n { hits.append(i); i += max(n.count, 1) } else { i += 1 }
                }
                if name == "count" { return .int(n.isEmpty ? hay.count + 1 : hits.count) }
                let found = name.hasPrefix("r") ? hits.last : hits.first
                if found == nil, name.hasSuffix("index") { throw ChatTemplateError(.runtime, "substring not found") }
                return .int(found ?? -1)
            }
        case "join":
            return bound(name) { args, _ in
                let items = try (args.first ?? .list([])).iterate()
                return try self.checkSize(try items.map { v -> String in
                    guard case .string(let t) = v else {
                        throw ChatTemplateError(.runtime, "sequence item: expected str instance, \(v.typeName) found")
                    }
                    return t
                }.joined(separator: s))
            }
        case "format": return bound(name) { args, kwargs in try self.checkSize(try pythonFormat(s, args, kwargs)) }
        case "removeprefix", "removesuffix":
            return bound(name) { args, _ in
                guard case .string(let affix)? = args.first else { return .string(s) }
                if name == "removeprefix", s.hasPrefix(affix) { return .string(String(s.dropFirst(affix.count))) }
                if name == "removesuffix", s.hasSuffix(affix), !affix.isEmpty { return .string(String(s.dropLast(affix.count))) }
                return .string(s)
            }
        case "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower":
            return bound(name) { _, _ in
                let scalars = s.unicodeScalars
                if scalars.isEmpty { return .bool(false) }
                switch name {
                case "isdigit": return .bool(scalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit })
                case "isalpha": return .bool(scalars.allSatisfy { $0.properties.isAlphabetic })
                case "isalnum": return .bool(scalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
                case "isspace": return .bool(scalars.allSatisfy(isPythonSpace))
                case "isupper": return .bool(s != s.lowercased() && s == s.uppercased())
                default: return .bool(s != s.uppercased() && s == s.lowercased())
                }
            }
        default:
            return nil
        }
    }

    /// `'%s: %d' % (a, b)`: the conversions templates use (%s %r %d %i %%).
    func percentFormat(_ format: String, _ args: Value) throws -> String {
        var values: [Value] = { if case .tuple(let t) = args { return t }; return [args] }()
        var out = ""
        var it = format.makeIterator()
        while let c = it.next() {
            guard c == "%" else { out.append(c); continue }
            guard let spec = it.next() else { throw ChatTemplateError(.runtime, "incomplete format") }
            if spec == "%" { out.append("%"); continue }
            guard !values.isEmpty else { throw ChatTemplateError(.runtime, "not enough arguments for format string") }
            let v = values.removeFirst()
            switch spec {
            case "s": out += v.str
            case "r": out += v.repr
            case "d", "i":
                guard let n = v.number else { throw ChatTemplateError(.runtime, "%d format: a real number is required, not \(v.typeName)") }
                out += String(Int(n))
            default: throw ChatTemplateError(.runtime, "unsupported format character '\(spec)'")
            }
        }
        // Python: leftover arguments are an error, except a non-tuple mapping/sequence that was never consumed.
        var exempt = false
        switch args { case .dict, .list, .undefined: exempt = values.count == 1; default: break }
        if !values.isEmpty, !exempt { throw ChatTemplateError(.runtime, "not all arguments converted during string formatting") }
        return out
    }
}

private extension Array where Element == Value {
    func dropLastIfEmpty() -> [Value] { last == .string("") ? Array(dropLast()) : self }
}

func pythonStrip(_ s: String, chars: String?, left: Bool, right: Bool) -> String {
    let set = chars.map { Set($0.unicodeScalars) }
    func strip(_ c: Unicode.Scalar) -> Bool { set?.contains(c) ?? isPythonSpace(c) }
    var scalars = Substring(s).unicodeScalars[...]
    if left { while let f = scalars.first, strip(f) { scalars.removeFirst() } }
    if right { while let l = scalars.last, strip(l) { scalars.removeLast() } }
    return String(String.UnicodeScalarView(scalars))
}

func pythonSplit(_ s: String, sep: String?, maxsplit: Int, fromRight: Bool) throws -> [String] {
    guard let sep else {
        let words = s.unicodeScalars.split(whereSeparator: isPythonSpace).map { String(String.UnicodeScalarView($0)) }
        guard maxsplit >= 0, words.count > maxsplit + 1 else { return words }
        // Rare: maxsplit with whitespace splitting keeps the remainder as written.
        let head = fromRight ? Array(words.suffix(maxsplit)) : Array(words.prefix(maxsplit))
        let rest = fromRight ? words.dropLast(maxsplit).joined(separator: " ") : words.dropFirst(maxsplit).joined(separator: " ")
        return fromRight ? [rest] + head : head + [rest]
    }
    guard !sep.isEmpty else { throw ChatTemplateError(.runtime, "empty separator") }
    var parts = s.components(separatedBy: sep)
    if maxsplit >= 0, parts.count > maxsplit + 1 {
        if fromRight {
            let tail = Array(parts.suffix(maxsplit))
            parts = [parts.dropLast(maxsplit).joined(separator: sep)] + tail
        } else {
            parts = Array(parts.prefix(maxsplit)) + [parts.dropFirst(maxsplit).joined(separator: sep)]
        }
    }
    return parts
}

func pythonReplace(_ s: String, _ old: String, _ new: String, count: Int) -> String {
    if count < 0 {
        if old.isEmpty { return new + s.unicodeScalars.map { String($0) + new }.joined() }
        return s.components(separatedBy: old).joined(separator: new)
    }
    var parts = s.components(separatedBy: old)
    guard !old.isEmpty, parts.count > count + 1 else { return parts.joined(separator: new) }
    let head = parts.prefix(count + 1).joined(separator: new)
    parts.removeFirst(count + 1)
    return ([head] + parts).joined(separator: old)
}

/// Python `str.title()`: upper-case a cased letter after an uncased one, lower-case the rest.
func pythonTitle(_ s: String) -> String {
    var out = ""
    var previousCased = false
    for scalar in s.unicodeScalars {
        let text = String(scalar)
        out += previousCased ? text.lowercased() : (scalar.properties.titlecaseMapping)
        previousCased = scalar.properties.isCased
    }
    return out
}

func pythonCapitalize(_ s: String) -> String {
    guard let first = s.unicodeScalars.first else { return s }
    return first.properties.titlecaseMapping + String(String.UnicodeScalarView(s.unicodeScalars.dropFirst())).lowercased()
}

/// Python `str.format` for `{}`, `{0}`, `{name}` and `{{ }}` (no format specs).
func pythonFormat(_ format: String, _ args: [Value], _ kwargs: [(String, Value)]) throws -> String {
    var out = ""
    var auto = 0
    var chars = Array(format)[...]
    while let c = chars.popFirst() {
        if c == "{", chars.first == "{" { chars.removeFirst(); out.append("{"); continue }
        if c == "}", chars.first == "}" { chars.removeFirst(); out.append("}"); continue }
        guard c == "{" else { out.append(c); continue }
        var field = ""
        while let d = chars.popFirst(), d != "}" { field.append(d) }
        if field.contains(":") || field.contains("!") { throw ChatTemplateError(.runtime, "format specs are not supported") }
        let value: Value?
        if field.isEmpty { value = auto < args.count ? args[auto] : nil; auto += 1 }
        else if let i = Int(field) { value = i < args.count ? args[i] : nil }
        else { value = kwargs.first { $0.0 == field }?.1 }
        guard let value else { throw ChatTemplateError(.runtime, "replacement index \(field) out of range for format") }
        out += value.str
    }
    return out
}
