// Interpreter (expressions): Python semantics for operators, subscripts and slices, and jinja2's sandboxed
// attribute lookup (`a.b` tries the attribute then the item; `a['b']` the item then the attribute).
import Foundation

struct EvaluatedArguments {
    var positional: [Value] = []
    var keyword: [(String, Value)] = []
}

extension Interpreter {
    func eval(_ expr: Expr, _ scope: Scope) throws -> Value {
        switch expr {
        case .located(let inner, let p):
            return try located(p) {
                try stack.check()
                return try eval(inner, scope)
            }
        case .literal(let l):
            switch l {
            case .none: return .none
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let d): return .float(d)
            case .string(let s): return .string(s)
            }
        case .name(let n):
            return scope.lookup(n) ?? .undefined("'\(n)' is undefined")
        case .list(let items): return .list(try items.map { try eval($0, scope) })
        case .tuple(let items): return .tuple(try items.map { try eval($0, scope) })
        case .dict(let pairs):
            var d: [(Value, Value)] = []
            for (k, v) in pairs {
                let key = try eval(k, scope), value = try eval(v, scope)
                if let i = d.firstIndex(where: { $0.0 == key }) { d[i].1 = value } else { d.append((key, value)) }
            }
            return .dict(d)
        case .attribute(let target, let name):
            return try getAttribute(try eval(target, scope), name)
        case .item(let target, let key):
            return try getItem(try eval(target, scope), try eval(key, scope))
        case .slice(let target, let start, let stop, let step):
            return try slice(try eval(target, scope), start: try start.map { try eval($0, scope) },
                             stop: try stop.map { try eval($0, scope) }, step: try step.map { try eval($0, scope) })
        case .call:
            return try evalCall(expr, scope, caller: nil)
        case .filter(let target, let name, let args):
            return try applyFilter(name, to: try eval(target, scope), args: try evalArguments(args, scope))
        case .test(let target, let name, let args, let negated):
            let result = try applyTest(name, to: try eval(target, scope), args: try evalArguments(args, scope).positional)
            return .bool(result != negated)
        case .unary(let op, let operand):
            let v = try eval(operand, scope)
            switch (op, v) {
            case ("-", .int(let i)): return .int(-i)
            case ("-", .float(let d)): return .float(-d)
            case ("-", .bool(let b)): return .int(b ? -1 : 0)
            case ("+", _) where v.number != nil: return v
            default:
                if v.isUndefined { throw undefinedError(v) }
                throw ChatTemplateError(.runtime, "bad operand type for unary \(op): '\(v.typeName)'")
            }
        case .binary(let op, let l, let r):
            return try binary(op, try eval(l, scope), try eval(r, scope))
        case .compare(let first, let ops):
            var left = try eval(first, scope)
            for (op, e) in ops {
                let right = try eval(e, scope)
                if !(try compare(op, left, right)) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .and(let l, let r):
            let left = try eval(l, scope)
            return left.truthy ? try eval(r, scope) : left
        case .or(let l, let r):
            let left = try eval(l, scope)
            return left.truthy ? left : try eval(r, scope)
        case .not(let e):
            return .bool(!(try eval(e, scope).truthy))
        case .conditional(let test, let then, let otherwise):
            if try eval(test, scope).truthy { return try eval(then, scope) }
            return try otherwise.map { try eval($0, scope) } ?? .undefined("the inline if-expression on evaluated to false and no else section was defined.")
        }
    }

    func evalArguments(_ args: Arguments, _ scope: Scope) throws -> EvaluatedArguments {
        EvaluatedArguments(positional: try args.positional.map { try eval($0, scope) },
                           keyword: try args.keyword.map { ($0.0, try eval($0.1, scope)) })
    }

    func evalCall(_ expr: Expr, _ scope: Scope, caller: Callable?) throws -> Value {
        var e = expr
        var position: SourcePosition? = nil
        if case .located(let inner, let p) = e { e = inner; position = p }
        guard case .call(let calleeExpr, let args) = e else { return try eval(expr, scope) }
        return try located(position ?? .unknown) {
            let callee = try eval(calleeExpr, scope)
            var evaluated = try evalArguments(args, scope)
            if let caller { evaluated.keyword.append(("caller", .callable(caller))) }
            guard case .callable(let c) = callee else {
                if callee.isUndefined { throw undefinedError(callee) }
                throw ChatTemplateError(.runtime, "'\(callee.typeName)' object is not callable")
            }
            return try c.body(evaluated.positional, evaluated.keyword)
        }
    }

    func compare(_ op: String, _ a: Value, _ b: Value) throws -> Bool {
        if ["<", ">", "<=", ">="].contains(op), a.isUndefined || b.isUndefined { throw undefinedError(a.isUndefined ? a : b) }
        switch op {
        case "==": return a == b
        case "!=": return a != b
        case "<": return try Value.less(a, b)
        case ">": return try Value.less(b, a)
        case "<=": return try Value.less(a, b) || a == b
        case ">=": return try Value.less(b, a) || a == b
        case "in": return try contains(b, a)
        case "not in": return try !contains(b, a)
        default: throw ChatTemplateError(.runtime, "unknown comparison \(op)")
        }
    }

    func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .string(let s):
            guard case .string(let needle) = item else {
                throw ChatTemplateError(.runtime, "'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return needle.isEmpty || s.contains(needle)
        case .dict(let d):
            switch item {
            case .list, .dict, .namespace: throw ChatTemplateError(.runtime, "unhashable type: '\(item.typeName)'")
            default: return d.contains { $0.0 == item }
            }
        default: return try container.iterate().contains(item)
        }
    }

    func binary(_ op: String, _ a: Value, _ b: Value) throws -> Value {
        if op == "~" { return try checkSize(a.str + b.str) }
        switch (op, a, b) {
        case ("+", .string(let x), .string(let y)): return try checkSize(x + y)
        case ("+", .list(let x), .list(let y)): return .list(x + y)
        case ("+", .tuple(let x), .tuple(let y)): return .tuple(x + y)
        case ("*", .string(let s), _) where b.integer != nil: return try repeatString(s, b.integer!)
        case ("*", _, .string(let s)) where a.integer != nil: return try repeatString(s, a.integer!)
        case ("*", _, .list) where a.integer != nil, ("*", _, .tuple) where a.integer != nil:
            return try binary("*", b, a)
        case ("*", .tuple(let t), _) where b.integer != nil:
            guard case .list(let l) = try binary("*", .list(t), b) else { return .tuple([]) }
            return .tuple(l)
        case ("*", .list(let l), _) where b.integer != nil:
            let n = max(0, b.integer!)
            guard l.count * n <= limits.maxLoopIterations else { throw ChatTemplateError(.limit, "list too large") }
            return .list(Array(repeating: l, count: n).flatMap { $0 })
        case ("%", .string(let format), _): return try checkSize(try percentFormat(format, b))
        default: break
        }
        if let x = a.integer, let y = b.integer { return try integerArithmetic(op, x, y) }
        if let x = a.number, let y = b.number { return try floatArithmetic(op, x, y) }
        if a.isUndefined || b.isUndefined { throw undefinedError(a.isUndefined ? a : b) }
        if op == "+", case .string = a { throw ChatTemplateError(.runtime, "can only concatenate str (not \"\(b.typeName)\") to str") }
        if op == "+", case .list = a { throw ChatTemplateError(.runtime, "can only concatenate list (not \"\(b.typeName)\") to list") }
        let symbol = op == "**" ? "** or pow()" : op
        throw ChatTemplateError(.runtime, "unsupported operand type(s) for \(symbol): '\(a.typeName)' and '\(b.typeName)'")
    }

    private func repeatString(_ s: String, _ n: Int) throws -> Value {
        guard n > 0 else { return .string("") }
        guard s.utf8.count.multipliedReportingOverflow(by: n).partialValue <= limits.maxOutputScalars * 4 else {
            throw ChatTemplateError(.limit, "string value exceeds \(limits.maxOutputScalars) characters")
        }
        return .string(String(repeating: s, count: n))
    }

    private func integerArithmetic(_ op: String, _ x: Int, _ y: Int) throws -> Value {
        func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> Value {
            if r.overflow { throw ChatTemplateError(.runtime, "integer overflow") }
            return .int(r.partialValue)
        }
        switch op {
        case "+": return try checked(x.addingReportingOverflow(y))
        case "-": return try checked(x.subtractingReportingOverflow(y))
        case "*": return try checked(x.multipliedReportingOverflow(by: y))
        case "/":
            guard y != 0 else { throw ChatTemplateError(.runtime, "division by zero") }
            return .float(Double(x) / Double(y))
        case "//", "%":
            guard y != 0 else { throw ChatTemplateError(.runtime, "integer division or modulo by zero") }
            var q = x / y, r = x % y
            if r != 0, (r < 0) != (y < 0) { q -= 1; r += y }
            return .int(op == "//" ? q : r)
        case "**":
            if y < 0 { return .float(pow(Double(x), Double(y))) }
            var result = 1
            for _ in 0..<min(y, 64) {
                let (v, o) = result.multipliedReportingOverflow(by: x)
                if o { throw ChatTemplateError(.runtime, "integer overflow") }
                result = v
            }
            return .int(y > 64 && abs(x) > 1 ? Int.max : result)
        default: throw ChatTemplateError(.runtime, "unknown operator \(op)")
        }
    }

    private func floatArithmetic(_ op: String, _ x: Double, _ y: Double) throws -> Value {
        switch op {
        case "+": return .float(x + y)
        case "-": return .float(x - y)
        case "*": return .float(x * y)
        case "/":
            guard y != 0 else { throw ChatTemplateError(.runtime, "float division by zero") }
            return .float(x / y)
        case "//", "%":
            // CPython's float_divmod, signs of zero included.
            guard y != 0 else { throw ChatTemplateError(.runtime, "float modulo") }
            var mod = fmod(x, y)
            if mod != 0 { if (y < 0) != (mod < 0) { mod += y } } else { mod = copysign(0.0, y) }
            if op == "%" { return .float(mod) }
            let div = (x - mod) / y
            guard div != 0 else { return .float(copysign(0.0, x / y)) }
            var floorDiv = floor(div)
            if div - floorDiv > 0.5 { floorDiv += 1 }
            return .float(floorDiv)
        case "**": return .float(pow(x, y))
        default: throw ChatTemplateError(.runtime, "unknown operator \(op)")
        }
    }
}
