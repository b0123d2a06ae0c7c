// Globals: jinja2's (`range`, `namespace`, `dict`, `cycler`, `joiner`) plus the two HF adds to every chat
// template, `raise_exception(message)` and `strftime_now(format)`.
import Foundation

extension Interpreter {
    func makeGlobals() -> [String: Value] {
        var g: [String: Value] = [:]
        g["range"] = bound("range") { args, _ in
            let ints = try args.map { v -> Int in
                guard let i = v.integer else { throw ChatTemplateError(.runtime, "'\(v.typeName)' object cannot be interpreted as an integer") }
                return i
            }
            let (start, stop, step): (Int, Int, Int)
            switch ints.count {
            case 1: (start, stop, step) = (0, ints[0], 1)
            case 2: (start, stop, step) = (ints[0], ints[1], 1)
            case 3: (start, stop, step) = (ints[0], ints[1], ints[2])
            default: throw ChatTemplateError(.runtime, "range expected 1 to 3 arguments, got \(ints.count)")
            }
            guard step != 0 else { throw ChatTemplateError(.runtime, "range() arg 3 must not be zero") }
            let r = stride(from: start, to: stop, by: step)
            // The sandbox's MAX_RANGE.
            guard r.underestimatedCount <= 100_000 else {
                throw ChatTemplateError(.limit, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).")
            }
            return .list(r.map(Value.int))
        }
        g["namespace"] = bound("namespace") { args, kwargs in
            var attributes: [(String, Value)] = []
            if case .dict(let d)? = args.first { attributes = d.map { ($0.0.str, $0.1) } }
            let ns = NamespaceBox(attributes)
            for (k, v) in kwargs { ns[k] = v }
            return .namespace(ns)
        }
        g["dict"] = bound("dict") { args, kwargs in
            var d: [(Value, Value)] = []
            if case .dict(let initial)? = args.first { d = initial }
            for (k, v) in kwargs {
                if let i = d.firstIndex(where: { $0.0 == .string(k) }) { d[i].1 = v } else { d.append((.string(k), v)) }
            }
            return .dict(d)
        }
        g["joiner"] = bound("joiner") { args, _ in
            let separator = args.first?.str ?? ", "
            let state = NamespaceBox([("used", .bool(false))])
            return self.bound("joiner") { _, _ in
                if state["used"]?.truthy == true { return .string(separator) }
                state["used"] = .bool(true)
                return .string("")
            }
        }
        g["cycler"] = bound("cycler") { args, _ in
            let state = NamespaceBox([("i", .int(0))])
            let next = self.bound("next") { _, _ in
                guard !args.isEmpty else { return .none }
                let i = state["i"]?.integer ?? 0
                state["i"] = .int(i + 1)
                return args[i % args.count]
            }
            return .dict([(.string("next"), next)])
        }
        g["raise_exception"] = bound("raise_exception") { args, _ in
            throw ChatTemplateError(.raised, args.first?.str ?? "")
        }
        g["strftime_now"] = bound("strftime_now") { [now] args, _ in
            .string(strftime(args.first?.str ?? "", now()))
        }
        return g
    }
}

/// C `strftime` in the C locale (as Python's `datetime.strftime` in the default locale), local time zone.
func strftime(_ format: String, _ date: Date, timeZone: TimeZone = .current) -> String {
    var time = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    if timeZone == .current { localtime_r(&time, &parts) } else {
        time += time_t(timeZone.secondsFromGMT(for: date))
        gmtime_r(&time, &parts)
    }
    var buffer = [Int8](repeating: 0, count: 512)
    let n = strftime(&buffer, buffer.count, format, &parts)
    return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
