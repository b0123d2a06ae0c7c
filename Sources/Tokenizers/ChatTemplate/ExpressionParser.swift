// Parser (expressions): jinja2's precedence, lowest first: conditional `a if b else c`, `or`, `and`, `not`,
// comparisons (incl. `in`/`not in`), `+ -`, `~`, `* / // %`, `**`, unary `- +`, then postfix/filters/tests.

extension Parser {
    static let stopNames: Set<String> = ["else", "or", "and"]

    mutating func parseTuple(withCondition: Bool = true, extraEnds: Set<String> = []) throws -> Expr {
        let p = current.position
        var items: [Expr] = []
        var sawComma = false
        while true {
            if !items.isEmpty {
                guard skipOp(",") else { break }
                sawComma = true
            }
            if current.kind == .blockEnd || current.kind == .variableEnd || isOp(")") || isOp("]")
                || extraEnds.contains(where: { isName($0) }) || (isName("if") && !withCondition && !items.isEmpty) {
                if items.isEmpty { throw fail("expected an expression, got \(describe(current))") }
                break
            }
            items.append(withCondition ? try parseExpression() : try parseOr())
        }
        return sawComma ? .located(.tuple(items), p) : items[0]
    }

    mutating func parseExpression() throws -> Expr {
        try enter()
        defer { nesting -= 1 }
        var expr = try parseOr()
        while isName("if") {
            let p = current.position
            index += 1
            let test = try parseOr()
            let otherwise = skipName("else") ? try parseExpression() : nil
            expr = .located(.conditional(test: test, then: expr, otherwise: otherwise), p)
        }
        return expr
    }

    mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while skipName("or") { left = .or(left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while skipName("and") { left = .and(left, try parseNot()) }
        return left
    }

    mutating func parseNot() throws -> Expr {
        try enter()
        defer { nesting -= 1 }
        if skipName("not") { return .not(try parseNot()) }
        return try parseCompare()
    }

    mutating func parseCompare() throws -> Expr {
        let p = current.position
        let left = try parseMath1()
        var ops: [(String, Expr)] = []
        while true {
            if case .op(let o) = current.kind, ["==", "!=", "<", "<=", ">", ">="].contains(o) {
                index += 1
                ops.append((o, try parseMath1()))
            } else if skipName("in") {
                ops.append(("in", try parseMath1()))
            } else if isName("not"), isName("in", peek()) {
                index += 2
                ops.append(("not in", try parseMath1()))
            } else {
                break
            }
        }
        return ops.isEmpty ? left : .located(.compare(left, ops), p)
    }

    mutating func parseMath1() throws -> Expr {
        var left = try parseConcat()
        while case .op(let o) = current.kind, o == "+" || o == "-" {
            let p = current.position
            index += 1
            left = .located(.binary(o, left, try parseConcat()), p)
        }
        return left
    }

    mutating func parseConcat() throws -> Expr {
        var left = try parseMath2()
        while isOp("~") {
            let p = current.position
            index += 1
            left = .located(.binary("~", left, try parseMath2()), p)
        }
        return left
    }

    mutating func parseMath2() throws -> Expr {
        var left = try parsePow()
        while case .op(let o) = current.kind, ["*", "/", "//", "%"].contains(o) {
            let p = current.position
            index += 1
            left = .located(.binary(o, left, try parsePow()), p)
        }
        return left
    }

    mutating func parsePow() throws -> Expr {
        var left = try parseUnary()
        while isOp("**") {
            let p = current.position
            index += 1
            left = .located(.binary("**", left, try parseUnary()), p)
        }
        return left
    }

    mutating func parseUnary(withFilter: Bool = true) throws -> Expr {
        try enter()
        defer { nesting -= 1 }
        let p = current.position
        var node: Expr
        if skipOp("-") {
            node = .located(.unary("-", try parseUnary(withFilter: false)), p)
        } else if skipOp("+") {
            node = .located(.unary("+", try parseUnary(withFilter: false)), p)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpression(node) }
        return node
    }

    mutating func parsePrimary() throws -> Expr {
        let token = advance()
        let p = token.position
        switch token.kind {
        case .name(let n):
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .located(.name(n), p)
            }
        case .string(var s):
            while case .string(let more) = current.kind { s += more; index += 1 }
            return .literal(.string(s))
        case .integer(let i): return .literal(.int(i))
        case .float(let d): return .literal(.float(d))
        case .op("("):
            if skipOp(")") { return .tuple([]) }
            let inner = try parseTuple()
            try expectOp(")")
            return inner
        case .op("["):
            var items: [Expr] = []
            while !skipOp("]") {
                if !items.isEmpty { try expectOp(","); if skipOp("]") { break } }
                items.append(try parseExpression())
            }
            return .list(items)
        case .op("{"):
            var pairs: [(Expr, Expr)] = []
            while !skipOp("}") {
                if !pairs.isEmpty { try expectOp(","); if skipOp("}") { break } }
                let key = try parseExpression()
                try expectOp(":")
                pairs.append((key, try parseExpression()))
            }
            return .dict(pairs)
        default:
            throw fail("unexpected \(describe(token))", at: token)
        }
    }

    mutating func parsePostfix(_ start: Expr) throws -> Expr {
        var node = start
        while true {
            let p = current.position
            if skipOp(".") {
                let token = advance()
                switch token.kind {
                case .name(let n): node = .located(.attribute(node, n), p)
                case .integer(let i): node = .located(.item(node, .literal(.int(i))), p)
                default: throw fail("expected an attribute name after '.'", at: token)
                }
            } else if skipOp("[") {
                node = .located(try parseSubscript(node), p)
            } else if isOp("(") {
                node = .located(.call(node, try parseCallArguments()), p)
            } else {
                return node
            }
        }
    }

    mutating func parseSubscript(_ target: Expr) throws -> Expr {
        func part(_ parser: inout Parser) throws -> Expr? {
            (parser.isOp(":") || parser.isOp("]")) ? nil : try parser.parseExpression()
        }
        let start = try part(&self)
        if skipOp("]") {
            guard let start else { throw fail("expected a subscript") }
            return .item(target, start)
        }
        guard skipOp(":") else {
            if isOp(",") { throw fail("tuple subscripts are not supported") }
            throw fail("expected ']' or ':', got \(describe(current))")
        }
        let stop = try part(&self)
        var step: Expr? = nil
        if skipOp(":") { step = try part(&self) }
        try expectOp("]")
        return .slice(target, start: start, stop: stop, step: step)
    }

    mutating func parseCallArguments() throws -> Arguments {
        try expectOp("(")
        var args = Arguments()
        var first = true
        while !skipOp(")") {
            if !first { try expectOp(","); if skipOp(")") { break } }
            first = false
            if isOp("*") || isOp("**") { throw fail("*args and **kwargs in calls are not supported") }
            if case .name(let n) = current.kind, isOp("=", peek()) {
                index += 2
                args.keyword.append((n, try parseExpression()))
            } else {
                if !args.keyword.isEmpty { throw fail("positional argument follows keyword argument") }
                args.positional.append(try parseExpression())
            }
        }
        return args
    }

    mutating func parseFilterExpression(_ start: Expr) throws -> Expr {
        var node = start
        while true {
            let p = current.position
            if skipOp("|") {
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                try checkFilterName(name)
                let args = isOp("(") ? try parseCallArguments() : Arguments()
                node = .located(.filter(node, name: name, args), p)
            } else if skipName("is") {
                let negated = skipName("not")
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                guard Self.testNames.contains(name) || conditionalDepth > 0 else { throw fail("no test named '\(name)'") }
                var args = Arguments()
                if isOp("(") {
                    args = try parseCallArguments()
                } else if startsPrimary(current), !Self.stopNames.contains(where: { isName($0) }) {
                    if isName("is") { throw fail("you cannot chain multiple tests with is") }
                    args.positional = [try parsePostfix(try parsePrimary())]
                }
                node = .located(.test(node, name: name, args, negated: negated), p)
            } else if isOp("(") {
                node = .located(.call(node, try parseCallArguments()), p)
            } else {
                return node
            }
        }
    }

    /// jinja2 rejects unknown filter and test names when it compiles a template, not when it runs it.
    static let filterNames: Set<String> = [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
        "filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent", "int", "items", "join",
        "last", "length", "list", "lower", "map", "max", "min", "pprint", "random", "reject", "rejectattr",
        "replace", "reverse", "round", "safe", "select", "selectattr", "slice", "sort", "string", "striptags",
        "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "urlencode", "urlize", "wordcount",
        "wordwrap", "xmlattr",
    ]
    static let testNames: Set<String> = [
        "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "escaped", "even", "false", "filter",
        "float", "ge", "gt", "greaterthan", "in", "integer", "iterable", "le", "lessthan", "lower", "lt", "mapping",
        "ne", "none", "number", "odd", "sameas", "sequence", "string", "test", "true", "undefined", "upper",
        "==", "!=", "<", "<=", ">", ">=",
    ]

    func checkFilterName(_ name: String) throws {
        guard Self.filterNames.contains(name) || conditionalDepth > 0 else { throw fail("no filter named '\(name)'") }
    }

    func startsPrimary(_ t: Token) -> Bool {
        switch t.kind {
        case .name, .string, .integer, .float: return true
        case .op(let o): return o == "(" || o == "[" || o == "{"
        default: return false
        }
    }
}
