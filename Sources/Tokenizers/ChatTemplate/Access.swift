// Attribute, item and slice access with jinja2's sandbox rules, and the Python methods templates call on
// str, dict and list values (`strip`, `split`, `startswith`, `get`, `items`, …); mutating methods are refused.

extension Interpreter {
    /// `obj.name`: a Python attribute (method) first, then the dict key; Undefined when neither exists.
    func getAttribute(_ obj: Value, _ name: String) throws -> Value {
        switch obj {
        case .undefined: throw undefinedError(obj)
        case .namespace(let ns):
            return ns[name] ?? .undefined("'Namespace' object has no attribute '\(name)'")
        default:
            if let method = try method(obj, name) { return method }
            if case .dict = obj, let v = obj.lookup(key: .string(name)) { return v }
            return .undefined("'\(obj.objectTypeRepr)' has no attribute '\(name)'")
        }
    }

    /// `obj[key]`: the item first, then (for string keys) the attribute; Undefined when neither exists.
    func getItem(_ obj: Value, _ key: Value) throws -> Value {
        switch (obj, key) {
        case (.undefined, _): throw undefinedError(obj)
        case (.dict, _):
            if let v = obj.lookup(key: key) { return v }
        case (.list(let a), _), (.tuple(let a), _):
            if let i = key.integer, let v = index(a, i) { return v }
        case (.string(let s), _):
            if let i = key.integer, let v = index(Array(s.unicodeScalars), i) { return .string(String(v)) }
        case (.namespace(let ns), .string(let name)):
            if let v = ns[name] { return v }
        default: break
        }
        if case .string(let name) = key, let m = try method(obj, name) { return m }
        if case .string(let name) = key { return .undefined("'\(obj.objectTypeRepr)' has no attribute '\(name)'") }
        return .undefined("\(obj.objectTypeRepr) has no element \(key.repr)")
    }

    private func index<T>(_ a: [T], _ i: Int) -> T? {
        let j = i < 0 ? a.count + i : i
        return j >= 0 && j < a.count ? a[j] : nil
    }

    func slice(_ obj: Value, start: Value?, stop: Value?, step: Value?) throws -> Value {
        func bound(_ v: Value?) throws -> Int? {
            guard let v, !v.isNone else { return nil }
            guard let i = v.integer else { throw ChatTemplateError(.runtime, "slice indices must be integers or None") }
            return i
        }
        let step = try bound(step) ?? 1
        guard step != 0 else { throw ChatTemplateError(.runtime, "slice step cannot be zero") }
        func indices(_ count: Int) throws -> [Int] {
            func clamp(_ i: Int?, _ defaultValue: Int) -> Int {
                guard var i else { return defaultValue }
                if i < 0 { i += count }
                return step > 0 ? min(max(i, 0), count) : min(max(i, -1), count - 1)
            }
            let lo = clamp(try bound(start), step > 0 ? 0 : count - 1)
            let hi = clamp(try bound(stop), step > 0 ? count : -1)
            return Array(stride(from: lo, to: hi, by: step))
        }
        switch obj {
        case .list(let a): return .list(try indices(a.count).map { a[$0] })
        case .tuple(let a): return .tuple(try indices(a.count).map { a[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var view = String.UnicodeScalarView()
            for i in try indices(scalars.count) { view.append(scalars[i]) }
            return .string(String(view))
        case .undefined: throw undefinedError(obj)
        // jinja2 compiles slices to plain Python subscripts: no Undefined fallback as for items.
        default: throw ChatTemplateError(.runtime, "'\(obj.typeName)' object is not subscriptable")
        }
    }

    /// A bound Python method, or nil when `obj` has no attribute of that name.
    func method(_ obj: Value, _ name: String) throws -> Value? {
        let unsafe: Set<String> = ["append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
                                   "update", "setdefault", "popitem", "add", "discard"]
        switch obj {
        case .dict(let d):
            if unsafe.contains(name) { return unsafeMethod(name, obj) }
            switch name {
            case "items": return bound(name) { _, _ in .list(d.map { .tuple([$0.0, $0.1]) }) }
            case "keys": return bound(name) { _, _ in .list(d.map(\.0)) }
            case "values": return bound(name) { _, _ in .list(d.map(\.1)) }
            case "get":
                return bound(name) { args, _ in
                    guard let key = args.first else { throw ChatTemplateError(.runtime, "get expected at least 1 argument, got 0") }
                    return obj.lookup(key: key) ?? (args.count > 1 ? args[1] : .none)
                }
            case "copy": return bound(name) { _, _ in obj }
            default: return nil
            }
        case .list(let a), .tuple(let a):
            if case .list = obj, unsafe.contains(name) { return unsafeMethod(name, obj) }
            switch name {
            case "index":
                return bound(name) { args, _ in
                    guard let x = args.first, let i = a.firstIndex(of: x) else { throw ChatTemplateError(.runtime, "value is not in list") }
                    return .int(i)
                }
            case "count": return bound(name) { args, _ in .int(a.filter { $0 == (args.first ?? .none) }.count) }
            case "copy": return bound(name) { _, _ in obj }
            default: return nil
            }
        case .string(let s):
            return stringMethod(s, name)
        default:
            return nil
        }
    }

    func bound(_ name: String, _ body: @escaping (_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value) -> Value {
        .callable(Callable(name: name, body: body))
    }

    private func unsafeMethod(_ name: String, _ obj: Value) -> Value {
        bound(name) { _, _ in
            throw ChatTemplateError(.runtime, "access to attribute '\(name)' of '\(obj.typeName)' object is unsafe.")
        }
    }
}
