// Parser (statements): tokens → [Node]. Tags follow jinja2's grammar; the tags HF enables are supported
// (if/for/set/macro/call/filter/with/raw, loopcontrols' break/continue, and the `generation` block).

struct Parser {
    var tokens: [Token]
    var index = 0
    /// Inside an `{% if %}`: jinja2 defers unknown filter/test errors to run time there.
    var conditionalDepth = 0
    /// Nesting of statements and sub-expressions, limited so parsing cannot exhaust the stack.
    var nesting = 0
    /// Inside a `for` body (not its `else`, not a macro body): where `break`/`continue` are allowed.
    var loopDepth = 0
    static let maxNesting = 128
    let stack = StackGuard()

    init(tokens: [Token]) { self.tokens = tokens }

    static func parse(_ source: String) throws -> [Node] {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        let (nodes, end) = try parser.parseBody(until: [])
        if let end { throw parser.fail("unexpected '\(end)'") }
        return nodes
    }

    // MARK: Token helpers

    var current: Token { tokens[index] }
    func peek(_ offset: Int = 1) -> Token { tokens[min(index + offset, tokens.count - 1)] }
    mutating func advance() -> Token { let t = tokens[index]; if index < tokens.count - 1 { index += 1 }; return t }

    func fail(_ message: String, at token: Token? = nil) -> ChatTemplateError {
        let p = (token ?? current).position
        return ChatTemplateError(.syntax, message, line: p.line, column: p.column)
    }

    func isName(_ name: String, _ token: Token? = nil) -> Bool { (token ?? current).kind == .name(name) }
    func isOp(_ op: String, _ token: Token? = nil) -> Bool { (token ?? current).kind == .op(op) }

    mutating func skipName(_ name: String) -> Bool { if isName(name) { index += 1; return true }; return false }
    mutating func skipOp(_ op: String) -> Bool { if isOp(op) { index += 1; return true }; return false }

    mutating func expectOp(_ op: String) throws {
        guard skipOp(op) else { throw fail("expected '\(op)', got \(describe(current))") }
    }
    mutating func expectName() throws -> String {
        guard case .name(let n) = current.kind else { throw fail("expected a name, got \(describe(current))") }
        index += 1
        return n
    }
    mutating func expectBlockEnd() throws {
        guard current.kind == .blockEnd else { throw fail("expected end of statement '%}', got \(describe(current))") }
        index += 1
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .text: return "template text"
        case .variableBegin: return "'{{'"
        case .variableEnd: return "'}}'"
        case .blockBegin: return "'{%'"
        case .blockEnd: return "'%}'"
        case .name(let n): return "'\(n)'"
        case .string(let s): return "string '\(s)'"
        case .integer(let i): return "'\(i)'"
        case .float(let d): return "'\(d)'"
        case .op(let o): return "'\(o)'"
        case .eof: return "end of template"
        }
    }

    // MARK: Bodies and statements

    /// Parses nodes until a `{% name %}` whose name is in `ends` (consumed up to the name) or the end of input.
    mutating func parseBody(until ends: Set<String>) throws -> ([Node], String?) {
        var nodes: [Node] = []
        while true {
            let token = current
            switch token.kind {
            case .eof:
                if !ends.isEmpty {
                    throw fail("unexpected end of template; expected " + ends.sorted().map { "'\($0)'" }.joined(separator: " or "))
                }
                return (nodes, nil)
            case .text(let s):
                index += 1
                nodes.append(.text(s))
            case .variableBegin:
                index += 1
                let e = try parseTuple()
                guard current.kind == .variableEnd else { throw fail("expected '}}', got \(describe(current))") }
                index += 1
                nodes.append(.output(e, token.position))
            case .blockBegin:
                if case .name(let n) = peek().kind, ends.contains(n) {
                    index += 2
                    return (nodes, n)
                }
                index += 1
                nodes.append(try parseStatement(at: token))
            default:
                throw fail("unexpected \(describe(token))")
            }
        }
    }

    /// Enters one level of nesting; pair with `nesting -= 1` (use `defer`).
    mutating func enter() throws {
        nesting += 1
        if nesting > Self.maxNesting { throw fail("template nests deeper than \(Self.maxNesting) levels") }
        do { try stack.check() } catch { throw fail("template nests too deeply") }
    }

    mutating func parseStatement(at open: Token) throws -> Node {
        try enter()
        defer { nesting -= 1 }
        let keywordToken = current
        guard case .name(let keyword) = advance().kind else { throw fail("expected a statement name", at: keywordToken) }
        let p = keywordToken.position
        switch keyword {
        case "if": return try parseIf()
        case "for": return try parseFor(p)
        case "set": return try parseSet(p)
        case "macro": return try parseMacro(p)
        case "call": return try parseCallBlock(p)
        case "filter":
            let filters = try parseFilterChain()
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endfilter"])
            try expectBlockEnd()
            return .filterBlock(filters: filters, body: body, p)
        case "with": return try parseWith()
        case "generation":
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endgeneration"])
            try expectBlockEnd()
            return .scoped(body)
        case "break", "continue":
            guard loopDepth > 0 else { throw fail("'\(keyword)' outside a loop", at: keywordToken) }
            try expectBlockEnd()
            return keyword == "break" ? .breakLoop(p) : .continueLoop(p)
        default:
            throw fail("unknown tag '\(keyword)'", at: keywordToken)
        }
    }

    mutating func parseIf() throws -> Node {
        var branches: [(Expr, [Node])] = []
        conditionalDepth += 1
        defer { conditionalDepth -= 1 }
        var condition = try parseTuple()
        try expectBlockEnd()
        while true {
            let (body, end) = try parseBody(until: ["elif", "else", "endif"])
            branches.append((condition, body))
            switch end {
            case "elif":
                condition = try parseTuple()
                try expectBlockEnd()
            case "else":
                try expectBlockEnd()
                let (otherwise, _) = try parseBody(until: ["endif"])
                try expectBlockEnd()
                return .ifChain(branches, otherwise: otherwise)
            default:
                try expectBlockEnd()
                return .ifChain(branches, otherwise: [])
            }
        }
    }

    mutating func parseFor(_ p: SourcePosition) throws -> Node {
        let target = try parseAssignTarget(allowAttribute: false)
        guard skipName("in") else { throw fail("expected 'in' in for loop, got \(describe(current))") }
        let iterable = try parseTuple(withCondition: false, extraEnds: ["recursive"])
        let condition = skipName("if") ? try parseExpression() : nil
        if isName("recursive") { throw fail("recursive for loops are not supported") }
        try expectBlockEnd()
        loopDepth += 1
        var (body, end) = try parseBody(until: ["endfor", "else"])
        loopDepth -= 1
        var otherwise: [Node] = []
        if end == "else" {
            try expectBlockEnd()
            (otherwise, end) = try parseBody(until: ["endfor"])
        }
        try expectBlockEnd()
        return .forLoop(ForLoop(target: target, iterable: iterable, condition: condition, body: body,
                                otherwise: otherwise, position: p))
    }

    mutating func parseSet(_ p: SourcePosition) throws -> Node {
        let target = try parseAssignTarget(allowAttribute: true)
        if skipOp("=") {
            let value = try parseTuple()
            try expectBlockEnd()
            return .set(target, value, p)
        }
        let filters = try parseFilterChain()
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endset"])
        try expectBlockEnd()
        return .setBlock(target, body: body, filters: filters, p)
    }

    mutating func parseMacro(_ p: SourcePosition) throws -> Node {
        let name = try expectName()
        let parameters = try parseParameters()
        try expectBlockEnd()
        let outerLoopDepth = loopDepth
        loopDepth = 0
        let (body, _) = try parseBody(until: ["endmacro"])
        loopDepth = outerLoopDepth
        _ = skipName(name)
        try expectBlockEnd()
        return .macro(Macro(name: name, parameters: parameters, body: body, position: p))
    }

    mutating func parseCallBlock(_ p: SourcePosition) throws -> Node {
        let parameters = isOp("(") ? try parseParameters() : []
        let call = try parseExpression()
        guard case .located(.call, _) = call else { throw fail("expected a call after 'call'") }
        try expectBlockEnd()
        let outerLoopDepth = loopDepth
        loopDepth = 0
        let (body, _) = try parseBody(until: ["endcall"])
        loopDepth = outerLoopDepth
        try expectBlockEnd()
        return .callBlock(call: call, parameters: parameters, body: body, p)
    }

    mutating func parseWith() throws -> Node {
        var nodes: [Node] = []
        while current.kind != .blockEnd {
            if !nodes.isEmpty { try expectOp(",") }
            let p = current.position
            let target = try parseAssignTarget(allowAttribute: false)
            try expectOp("=")
            nodes.append(.set(target, try parseExpression(), p))
        }
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endwith"])
        try expectBlockEnd()
        return .scoped(nodes + body)
    }

    mutating func parseParameters() throws -> [MacroParameter] {
        try expectOp("(")
        var parameters: [MacroParameter] = []
        while !skipOp(")") {
            if !parameters.isEmpty { try expectOp(",") }
            if skipOp(")") { break }
            let name = try expectName()
            let value = skipOp("=") ? try parseExpression() : nil
            parameters.append(MacroParameter(name: name, defaultValue: value))
        }
        return parameters
    }

    mutating func parseFilterChain() throws -> [(String, Arguments)] {
        var filters: [(String, Arguments)] = []
        while skipOp("|") || (filters.isEmpty && current.kind != .blockEnd && isNameToken(current)) {
            let name = try expectName()
            try checkFilterName(name)
            filters.append((name, isOp("(") ? try parseCallArguments() : Arguments()))
        }
        return filters
    }

    func isNameToken(_ t: Token) -> Bool { if case .name = t.kind { return true }; return false }

    mutating func parseAssignTarget(allowAttribute: Bool) throws -> AssignTarget {
        func single(_ parser: inout Parser) throws -> AssignTarget {
            if parser.skipOp("(") {
                let inner = try parser.parseAssignTarget(allowAttribute: false)
                try parser.expectOp(")")
                return inner
            }
            let name = try parser.expectName()
            if allowAttribute, parser.skipOp(".") { return .attribute(name, try parser.expectName()) }
            return .name(name)
        }
        var targets = [try single(&self)]
        var sawComma = false
        while skipOp(",") {
            sawComma = true
            if isOp("=") || isName("in") || current.kind == .blockEnd || isOp(")") { break }
            targets.append(try single(&self))
        }
        return sawComma ? .tuple(targets) : targets[0]
    }
}
