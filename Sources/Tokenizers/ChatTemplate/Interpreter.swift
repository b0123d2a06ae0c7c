// Interpreter (statements): walks the AST with jinja2's scoping (a `for` body gets a fresh scope per iteration,
// `if` none, macros close over their defining scope) and enforces work limits so no template can run away.
import Foundation

/// Work limits for one render; exceeding one is a `ChatTemplateError` of kind `.limit`, never a hang.
public struct RenderLimits: Sendable {
    public var maxOutputScalars = 16 << 20
    public var maxLoopIterations = 1_000_000
    public var maxCallDepth = 200
    public init() {}
}

final class Scope {
    var variables: [String: Value] = [:]
    let parent: Scope?
    init(parent: Scope?, _ variables: [String: Value] = [:]) {
        self.parent = parent
        self.variables = variables
    }
    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let s = scope {
            if let v = s.variables[name] { return v }
            scope = s.parent
        }
        return nil
    }
}

final class Interpreter {
    let limits: RenderLimits
    let now: () -> Date
    private(set) var iterations = 0
    var callDepth = 0
    let stack = StackGuard()
    private var written = 0

    init(limits: RenderLimits, now: @escaping () -> Date) {
        self.limits = limits
        self.now = now
    }

    enum Flow { case normal, breakLoop, continueLoop }

    func render(_ nodes: [Node], context: [String: Value]) throws -> String {
        let globals = Scope(parent: nil, makeGlobals())
        let root = Scope(parent: globals, context)
        var out = ""
        _ = try execute(nodes, scope: root, into: &out)
        return out
    }

    func write(_ s: String, _ out: inout String) throws {
        written += s.unicodeScalars.count
        if written > limits.maxOutputScalars {
            throw ChatTemplateError(.limit, "output exceeds \(limits.maxOutputScalars) characters")
        }
        out += s
    }

    func checkSize(_ s: String) throws -> Value {
        if s.utf8.count > limits.maxOutputScalars * 4 {
            throw ChatTemplateError(.limit, "string value exceeds \(limits.maxOutputScalars) characters")
        }
        return .string(s)
    }

    func countIteration() throws {
        iterations += 1
        if iterations > limits.maxLoopIterations {
            throw ChatTemplateError(.limit, "more than \(limits.maxLoopIterations) loop iterations")
        }
    }

    func execute(_ nodes: [Node], scope: Scope, into out: inout String) throws -> Flow {
        try stack.check()
        for node in nodes {
            switch node {
            case .text(let s):
                try write(s, &out)
            case .output(let e, _):
                try write(try eval(e, scope).str, &out)
            case .ifChain(let branches, let otherwise):
                var body = otherwise
                for (condition, branch) in branches where try eval(condition, scope).truthy { body = branch; break }
                let flow = try execute(body, scope: scope, into: &out)
                if flow != .normal { return flow }
            case .forLoop(let loop):
                try runFor(loop, scope: scope, into: &out)
            case .set(let target, let e, let p):
                try located(p) { try assign(target, try eval(e, scope), in: scope) }
            case .setBlock(let target, let body, let filters, let p):
                var buffer = ""
                _ = try execute(body, scope: Scope(parent: scope), into: &buffer)
                try located(p) { try assign(target, try applyFilters(filters, to: .string(buffer), scope), in: scope) }
            case .macro(let m):
                scope.variables[m.name] = .callable(makeMacro(m, closure: scope))
            case .callBlock(let call, let parameters, let body, let p):
                let caller = Macro(name: "caller", parameters: parameters, body: body, position: p)
                try write(try located(p) { try evalCall(call, scope, caller: makeMacro(caller, closure: scope)) }.str, &out)
            case .filterBlock(let filters, let body, let p):
                var buffer = ""
                _ = try execute(body, scope: Scope(parent: scope), into: &buffer)
                try write(try located(p) { try applyFilters(filters, to: .string(buffer), scope) }.str, &out)
            case .scoped(let body):
                let flow = try execute(body, scope: Scope(parent: scope), into: &out)
                if flow != .normal { return flow }
            case .breakLoop: return .breakLoop
            case .continueLoop: return .continueLoop
            }
        }
        return .normal
    }

    /// Attaches a source position to errors raised without one.
    func located<T>(_ p: SourcePosition, _ body: () throws -> T) throws -> T {
        do { return try body() } catch var error as ChatTemplateError where error.line == 0 {
            error.line = p.line
            error.column = p.column
            throw error
        }
    }

    func applyFilters(_ filters: [(String, Arguments)], to value: Value, _ scope: Scope) throws -> Value {
        var v = value
        for (name, args) in filters {
            v = try applyFilter(name, to: v, args: try evalArguments(args, scope))
        }
        return v
    }

    private func runFor(_ loop: ForLoop, scope: Scope, into out: inout String) throws {
        var items = try located(loop.position) { try eval(loop.iterable, scope).iterate() }
        if let condition = loop.condition {
            items = try items.filter { item in
                let s = Scope(parent: scope)
                try located(loop.position) { try assign(loop.target, item, in: s) }
                return try eval(condition, s).truthy
            }
        }
        // jinja2 runs `else` unless some iteration reached the end of the body: an empty loop, or one whose
        // every iteration ended in `continue` or whose first one hit `break`.
        var completedAnIteration = false
        for (i, item) in items.enumerated() {
            try located(loop.position) { try countIteration() }
            let s = Scope(parent: scope)
            try located(loop.position) { try assign(loop.target, item, in: s) }
            s.variables["loop"] = loopObject(index: i, items: items)
            let flow = try execute(loop.body, scope: s, into: &out)
            if flow == .breakLoop { break }
            if flow == .normal { completedAnIteration = true }
        }
        if !completedAnIteration {
            _ = try execute(loop.otherwise, scope: Scope(parent: scope), into: &out)
        }
    }

    private func loopObject(index i: Int, items: [Value]) -> Value {
        let n = items.count
        let cycle = Callable(name: "loop.cycle") { args, _ in
            guard !args.isEmpty else { throw ChatTemplateError(.runtime, "no items for cycling given") }
            return args[i % args.count]
        }
        return .dict([
            (.string("index"), .int(i + 1)), (.string("index0"), .int(i)),
            (.string("revindex"), .int(n - i)), (.string("revindex0"), .int(n - i - 1)),
            (.string("first"), .bool(i == 0)), (.string("last"), .bool(i == n - 1)),
            (.string("length"), .int(n)), (.string("depth"), .int(1)), (.string("depth0"), .int(0)),
            (.string("previtem"), i > 0 ? items[i - 1] : .undefined("there is no previous item")),
            (.string("nextitem"), i < n - 1 ? items[i + 1] : .undefined("there is no next item")),
            (.string("cycle"), .callable(cycle)),
        ])
    }

    func assign(_ target: AssignTarget, _ value: Value, in scope: Scope) throws {
        switch target {
        case .name(let n):
            scope.variables[n] = value
        case .attribute(let n, let attribute):
            guard case .namespace(let ns) = scope.lookup(n) ?? .undefined("") else {
                throw ChatTemplateError(.runtime, "cannot assign attribute on non-namespace object")
            }
            ns[attribute] = value
        case .tuple(let targets):
            let items = try value.iterate()
            guard items.count == targets.count else {
                throw ChatTemplateError(.runtime, items.count > targets.count
                    ? "too many values to unpack (expected \(targets.count))"
                    : "not enough values to unpack (expected \(targets.count), got \(items.count))")
            }
            for (t, v) in zip(targets, items) { try assign(t, v, in: scope) }
        }
    }

    /// A macro as a callable: parameters bind positionally then by keyword; extras land in `varargs`/`kwargs`.
    func makeMacro(_ m: Macro, closure: Scope) -> Callable {
        Callable(name: m.name) { [unowned self] args, kwargs in
            callDepth += 1
            defer { callDepth -= 1 }
            try stack.check()
            guard callDepth <= limits.maxCallDepth else {
                throw ChatTemplateError(.limit, "macro calls nested deeper than \(limits.maxCallDepth)",
                                        line: m.position.line, column: m.position.column)
            }
            let s = Scope(parent: closure)
            var extraKwargs: [(Value, Value)] = []
            for (i, p) in m.parameters.enumerated() {
                if i < args.count { s.variables[p.name] = args[i] }
                else if let kw = kwargs.first(where: { $0.0 == p.name }) { s.variables[p.name] = kw.1 }
                else if let d = p.defaultValue { s.variables[p.name] = try eval(d, s) }
                else { s.variables[p.name] = .undefined("parameter '\(p.name)' was not provided") }
            }
            for (k, v) in kwargs where !m.parameters.contains(where: { $0.name == k }) {
                if k == "caller" { s.variables["caller"] = v } else { extraKwargs.append((.string(k), v)) }
            }
            s.variables["varargs"] = .tuple(Array(args.dropFirst(m.parameters.count)))
            s.variables["kwargs"] = .dict(extraKwargs)
            var out = ""
            _ = try execute(m.body, scope: s, into: &out)
            return .string(out)
        }
    }
}
