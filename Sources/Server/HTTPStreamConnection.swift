// A minimal blocking HTTP/1.1 client for the load bench: one request per connection (Connection: close),
// plain or chunked bodies, and server-sent events handed over line by line as soon as their bytes arrive.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum HTTPConnection {
    /// A whole (non-streamed) response body; non-2xx answers throw with the server's error message.
    static func request(_ target: Target, method: String, path: String, body: Data?, apiKey: String?,
                        timeout: Double) throws -> Data {
        let fd = try open(target, timeout: timeout)
        defer { close(fd) }
        try send(fd, target: target, method: method, path: path, body: body, apiKey: apiKey)
        var reader = Reader(fd: fd)
        let head = try reader.head()
        var data = Data()
        try reader.body(head) { data.append(contentsOf: $0); return true }
        guard (200..<300).contains(head.status) else { throw HTTPLoadBenchError.http(head.status, errorMessage(data)) }
        return data
    }

    /// POSTs `body` and calls `event` with each SSE `data:` payload until `[DONE]` or the end of the response.
    /// `attach` receives the socket first (returning false aborts), so another thread can shut it down.
    static func stream(_ target: Target, path: String, body: Data, apiKey: String?, timeout: Double,
                       attach: ((Int32) -> Bool)?, event: (Data) throws -> Void) throws {
        let fd = try open(target, timeout: timeout)
        defer { close(fd) }
        if let attach, !attach(fd) { return }
        try send(fd, target: target, method: "POST", path: path, body: body, apiKey: apiKey, accept: "text/event-stream")
        var reader = Reader(fd: fd)
        let head = try reader.head()
        guard (200..<300).contains(head.status) else {
            var data = Data()
            try reader.body(head) { data.append(contentsOf: $0); return true }
            throw HTTPLoadBenchError.http(head.status, errorMessage(data))
        }
        var line: [UInt8] = []
        var done = false
        try reader.body(head) { bytes in
            for byte in bytes where !done {
                guard byte == UInt8(ascii: "\n") else { line.append(byte); continue }
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                defer { line.removeAll(keepingCapacity: true) }
                guard line.starts(with: Array("data:".utf8)) else { continue }
                var payload = line.dropFirst(5)
                while payload.first == UInt8(ascii: " ") { payload = payload.dropFirst() }
                if payload.elementsEqual("[DONE]".utf8) { done = true; continue }
                try event(Data(payload))
            }
            return !done
        }
    }

    static func errorMessage(_ data: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let error = object["error"] as? [String: Any], let message = error["message"] as? String {
            return message
        }
        return String(decoding: data.prefix(300), as: UTF8.self)
    }

    private static func open(_ target: Target, timeout: Double) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(target.host, String(target.port), &hints, &list)
        guard code == 0, let list else {
            throw HTTPLoadBenchError.connect("\(target.host): \(String(cString: gai_strerror(code)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let a = entry {
            entry = a.pointee.ai_next
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            guard fd >= 0 else { lastError = errno; continue }
            var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { return fd }
            lastError = errno
            close(fd)
        }
        throw HTTPLoadBenchError.connect("\(target.host):\(target.port): \(String(cString: strerror(lastError)))")
    }

    private static func send(_ fd: Int32, target: Target, method: String, path: String, body: Data?, apiKey: String?,
                             accept: String = "application/json") throws {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\nAccept: \(accept)\r\n"
            + "Connection: close\r\n"
        if let apiKey, !apiKey.isEmpty { head += "Authorization: Bearer \(apiKey)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        var bytes = Data((head + "\r\n").utf8)
        if let body { bytes.append(body) }
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw HTTPLoadBenchError.connect("sending the request: \(String(cString: strerror(errno)))") }
                offset += n
            }
        }
    }
}

/// Status line and headers of a response.
struct ResponseHead {
    var status: Int
    var headers: [String: String]
    var chunked: Bool { headers["transfer-encoding"]?.lowercased().contains("chunked") ?? false }
    var contentLength: Int? { headers["content-length"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
}

/// Buffered reads from a socket.
struct Reader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false

    init(fd: Int32) { self.fd = fd }

    private mutating func fill() throws -> Bool {
        if start > 0 { buffer.removeFirst(start); start = 0 }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { buffer.append(contentsOf: chunk[0..<n]); return true }
            if n == 0 { eof = true; return false }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw HTTPLoadBenchError.incomplete("the server stopped answering (timeout)") }
            if errno == ECONNRESET || errno == EPIPE || errno == ESHUTDOWN || errno == EBADF { eof = true; return false }
            throw HTTPLoadBenchError.connect("reading the response: \(String(cString: strerror(errno)))")
        }
    }

    private mutating func line() throws -> String? {
        while true {
            if let i = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var bytes = buffer[start..<i]
                if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
                start = i + 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if !(try fill()) { return nil }
        }
    }

    mutating func head() throws -> ResponseHead {
        guard let status = try line(), status.hasPrefix("HTTP/"),
              let code = status.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw HTTPLoadBenchError.protocolError("no HTTP status line")
        }
        var headers: [String: String] = [:]
        while let h = try line(), !h.isEmpty {
            guard let colon = h.firstIndex(of: ":") else { continue }
            headers[h[..<colon].lowercased()] = h[h.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return ResponseHead(status: code, headers: headers)
    }

    /// Hands the body's bytes to `sink` as they arrive; the sink returns false to stop reading.
    mutating func body(_ head: ResponseHead, _ sink: (ArraySlice<UInt8>) throws -> Bool) throws {
        if head.chunked {
            while let sizeLine = try line() {
                guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                    throw HTTPLoadBenchError.protocolError("bad chunk size '\(sizeLine.prefix(40))'")
                }
                if size == 0 { return }
                var left = size
                while left > 0 {
                    if start == buffer.count, !(try fill()) { return }
                    let take = min(left, buffer.count - start)
                    let piece = buffer[start..<start + take]
                    start += take
                    left -= take
                    if !(try sink(piece)) { return }
                }
                _ = try line()  // the CRLF after a chunk
            }
            return
        }
        var left = head.contentLength ?? Int.max
        while left > 0 {
            if start == buffer.count, !(try fill()) { return }
            let take = min(left, buffer.count - start)
            let piece = buffer[start..<start + take]
            start += take
            left -= take
            if !(try sink(piece)) { return }
        }
    }
}
