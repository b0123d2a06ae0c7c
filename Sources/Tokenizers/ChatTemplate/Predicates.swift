// Tests (`x is defined`, `x is string`, `x is divisibleby 3`, …) as jinja2 defines them, including its quirks:
// Undefined counts as iterable and as a sequence; bool counts as a number but not as an integer.

extension Interpreter {
    func applyTest(_ name: String, to v: Value, args: [Value]) throws -> Bool {
        func arg() throws -> Value {
            guard let a = args.first else { throw ChatTemplateError(.runtime, "test '\(name)' needs an argument") }
            return a
        }
        switch name {
        case "defined": return !v.isUndefined
        case "undefined": return v.isUndefined
        case "none": return v.isNone
        case "boolean": if case .bool = v { return true }; return false
        case "true": return v == .bool(true) && isBool(v)
        case "false": return v == .bool(false) && isBool(v)
        case "integer": if case .int = v { return true }; return false
        case "float": if case .float = v { return true }; return false
        case "number": return v.number != nil
        case "string": if case .string = v { return true }; return false
        case "mapping": if case .dict = v { return true }; return false
        case "iterable":
            switch v {
            case .undefined, .string, .list, .tuple, .dict, .namespace, .iterator: return true
            default: return false
            }
        case "sequence":
            switch v {
            case .undefined, .string, .list, .tuple, .dict: return true
            default: return false
            }
        case "callable": if case .callable = v { return true }; return v.isUndefined
        case "odd", "even":
            // Python: value % 2 == 1 (odd) or == 0 (even); floats allowed.
            let r = try binary("%", v, .int(2))
            return r == .int(name == "odd" ? 1 : 0)
        case "divisibleby":
            return try binary("%", v, try arg()) == .int(0)
        case "lower": return v.str == v.str.lowercased() && v.str != v.str.uppercased()
        case "upper": return v.str == v.str.uppercased() && v.str != v.str.lowercased()
        case "eq", "equalto", "==": return v == (try arg())
        case "ne", "!=": return v != (try arg())
        case "lt", "lessthan", "<": return try Value.less(v, try arg())
        case "le", "<=": return try compare("<=", v, try arg())
        case "gt", "greaterthan", ">": return try Value.less(try arg(), v)
        case "ge", ">=": return try compare(">=", v, try arg())
        case "in": return try contains(try arg(), v)
        case "sameas":
            let other = try arg()
            switch (v, other) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a === b
            default: return false
            }
        case "escaped": return false
        case "filter", "test": return false
        default: throw ChatTemplateError(.syntax, "no test named '\(name)'")
        }
    }

    private func isBool(_ v: Value) -> Bool { if case .bool = v { return true }; return false }
}
