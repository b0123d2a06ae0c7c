// AST: the parsed template. Plain Sendable values, built once by the Parser and walked by the Interpreter.

indirect enum Expr: Sendable {
    case literal(Literal)
    case name(String)
    case list([Expr])
    case tuple([Expr])
    case dict([(Expr, Expr)])
    case attribute(Expr, String)
    case item(Expr, Expr)
    case slice(Expr, start: Expr?, stop: Expr?, step: Expr?)
    case call(Expr, Arguments)
    case filter(Expr, name: String, Arguments)
    case test(Expr, name: String, Arguments, negated: Bool)
    case unary(String, Expr)
    case binary(String, Expr, Expr)
    case compare(Expr, [(String, Expr)])
    case and(Expr, Expr)
    case or(Expr, Expr)
    case not(Expr)
    case conditional(test: Expr, then: Expr, otherwise: Expr?)
    /// Any expression with its source position, for error messages.
    case located(Expr, SourcePosition)
}

enum Literal: Sendable {
    case none, bool(Bool), int(Int), float(Double), string(String)
}

struct Arguments: Sendable {
    var positional: [Expr] = []
    var keyword: [(String, Expr)] = []
}

struct MacroParameter: Sendable {
    var name: String
    var defaultValue: Expr?
}

/// The target of `for` or `set`: a name, an attribute of a namespace, or a tuple to unpack.
indirect enum AssignTarget: Sendable {
    case name(String)
    case attribute(String, String)
    case tuple([AssignTarget])
}

indirect enum Node: Sendable {
    case text(String)
    case output(Expr, SourcePosition)
    case ifChain([(Expr, [Node])], otherwise: [Node])
    case forLoop(ForLoop)
    case set(AssignTarget, Expr, SourcePosition)
    case setBlock(AssignTarget, body: [Node], filters: [(String, Arguments)], SourcePosition)
    case macro(Macro)
    case callBlock(call: Expr, parameters: [MacroParameter], body: [Node], SourcePosition)
    case filterBlock(filters: [(String, Arguments)], body: [Node], SourcePosition)
    case scoped([Node])
    case breakLoop(SourcePosition)
    case continueLoop(SourcePosition)
}

struct ForLoop: Sendable {
    var target: AssignTarget
    var iterable: Expr
    var condition: Expr?
    var body: [Node]
    var otherwise: [Node]
    var position: SourcePosition
}

struct Macro: Sendable {
    var name: String
    var parameters: [MacroParameter]
    var body: [Node]
    var position: SourcePosition
}
