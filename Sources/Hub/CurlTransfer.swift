// One HTTP request whose 2xx body streams into a sink, performed by libcurl called directly on a thread of its own.
// Why not URLSession for downloads: on Linux it hands a body over in 16 KB pieces (its libcurl buffer is capped at
// CURL_MAX_WRITE_SIZE), copying each into a Data, hopping it through two queues and re-arming a timeout timer per
// piece; profiled on a 98 MB loopback download, that was about half of the CPU time. Here libcurl writes up to
// 512 KB at a time straight into the sink. Redirects are not followed (HTTPTransport follows them itself).
import CCurl
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

final class CurlTransfer: @unchecked Sendable {  // callbacks run on the transfer's thread; `lock` guards the rest
    /// True when libcurl could be loaded (else HTTPTransport uses URLSession for everything).
    static let isAvailable: Bool = lathe_curl_load() == 1

    private let request: URLRequest
    private let sink: HTTPBodySink?
    private let stallTimeout: TimeInterval
    private let lock = NSLock()
    private var cancelled = false
    // State touched only by libcurl's callbacks on the transfer thread.
    private var statusCode = 0
    private var headerFields: [String: String] = [:]
    private var response: HTTPURLResponse?
    private var streaming = false
    private var buffered = Data()
    private var failure: Error?

    init(_ request: URLRequest, sink: HTTPBodySink?, stallTimeout: TimeInterval) {
        self.request = request
        self.sink = sink
        self.stallTimeout = stallTimeout
    }

    func cancel() { lock.withLock { cancelled = true } }
    private var isCancelled: Bool { lock.withLock { cancelled } }

    /// Runs the request on a new thread and returns its response and (non-streamed) body.
    func run() async throws -> (HTTPURLResponse, Data) {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread { continuation.resume(with: self.perform()) }
                thread.name = "lathe-download"
                thread.start()
            }
        } onCancel: {
            cancel()
        }
    }

    private func perform() -> Result<(HTTPURLResponse, Data), Error> {
        let url = request.url!
        guard let handle = lathe_curl_easy_init() else {
            return .failure(HubError.transport(url: url.absoluteString, reason: "libcurl could not start a transfer"))
        }
        defer { lathe_curl_easy_cleanup(handle) }
        var headers: UnsafeMutableRawPointer?
        for (name, value) in request.allHTTPHeaderFields ?? [:] {
            headers = lathe_curl_slist_append(headers, "\(name): \(value)")
        }
        headers = lathe_curl_slist_append(headers, "Expect:")
        defer { lathe_curl_slist_free_all(headers) }
        let method = request.httpMethod ?? "GET"
        let code: Int32 = url.absoluteString.withCString { urlString in
            method.withCString { methodString -> Int32 in
                lathe_curl_setopt_pointer(handle, Int32(LATHE_CURLOPT_URL), urlString)
                lathe_curl_setopt_pointer(handle, Int32(LATHE_CURLOPT_HTTPHEADER), headers)
                if method == "HEAD" {
                    lathe_curl_setopt_long(handle, Int32(LATHE_CURLOPT_NOBODY), 1)
                } else if method != "GET" {
                    lathe_curl_setopt_pointer(handle, Int32(LATHE_CURLOPT_CUSTOMREQUEST), methodString)
                }
                lathe_curl_setopt_long(handle, Int32(LATHE_CURLOPT_FOLLOWLOCATION), 0)
                lathe_curl_setopt_long(handle, Int32(LATHE_CURLOPT_NOSIGNAL), 1)
                lathe_curl_setopt_long(handle, Int32(LATHE_CURLOPT_BUFFERSIZE), 512 << 10)
                // A stall is less than one byte a second for `stallTimeout` seconds (as URLSession's timeout).
                let stall = max(1, Int(stallTimeout.rounded(.up)))
                lathe_curl_setopt_long(handle, Int32(LATHE_CURLOPT_LOW_SPEED_LIMIT), 1)
                lathe_curl_setopt_long(handle, Int32(LATHE_CURLOPT_LOW_SPEED_TIME), stall)
                lathe_curl_setopt_long(handle, Int32(LATHE_CURLOPT_CONNECTTIMEOUT), stall)
                "http,https".withCString { _ = lathe_curl_setopt_pointer(handle, Int32(LATHE_CURLOPT_PROTOCOLS_STR), $0) }
                lathe_curl_set_callbacks(handle, curlBody, curlHeader, curlProgress, Unmanaged.passUnretained(self).toOpaque())
                return lathe_curl_perform(handle)
            }
        }
        if let failure { return .failure(failure) }
        if isCancelled { return .failure(CancellationError()) }
        guard code == Int32(LATHE_CURLE_OK) else {
            return .failure(HubError.transport(url: url.absoluteString, reason: Self.describe(code)))
        }
        guard let response else {
            return .failure(HubError.badResponse(url: url.absoluteString, reason: "no response"))
        }
        return .success((response, buffered))
    }

    // MARK: libcurl callbacks (on the transfer thread)

    fileprivate func header(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("HTTP/") {                  // a status line starts a response (e.g. after a 100)
            statusCode = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            headerFields = [:]
            return true
        }
        if !text.isEmpty {
            guard let colon = text.firstIndex(of: ":") else { return true }
            let name = String(text[..<colon])
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headerFields[name] = headerFields[name].map { "\($0), \(value)" } ?? value
            return true
        }
        // The blank line ends the headers.
        guard let url = request.url,
              let http = HTTPURLResponse(url: url, statusCode: statusCode, httpVersion: "HTTP/1.1", headerFields: headerFields)
        else {
            failure = HubError.badResponse(url: request.url?.absoluteString ?? "", reason: "not an HTTP response")
            return false
        }
        response = http
        if (100..<200).contains(statusCode) { return true }
        if let sink, (200..<300).contains(statusCode) {
            do {
                try sink.open(http)
                streaming = true
            } catch {
                failure = error
                return false
            }
        }
        return true
    }

    fileprivate func body(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if streaming, let sink {
            do {
                try sink.write(bytes)
            } catch {
                failure = error
                return false
            }
        } else if buffered.count < HTTPTransport.bufferedBodyLimit {
            buffered.append(contentsOf: bytes)
        }
        return true
    }

    fileprivate var shouldAbort: Bool { isCancelled }

    private static func describe(_ code: Int32) -> String {
        switch code {
        case Int32(LATHE_CURLE_OPERATION_TIMEDOUT): return "no data for too long (timed out)"
        case Int32(LATHE_CURLE_COULDNT_CONNECT): return "cannot connect to the server"
        case Int32(LATHE_CURLE_COULDNT_RESOLVE_HOST): return "cannot find the host"
        case Int32(LATHE_CURLE_PARTIAL_FILE), Int32(LATHE_CURLE_GOT_NOTHING), Int32(LATHE_CURLE_SEND_ERROR),
             Int32(LATHE_CURLE_RECV_ERROR):
            return "the connection was lost"
        default: return lathe_curl_strerror(code).map { String(cString: $0) } ?? "libcurl error \(code)"
        }
    }
}

private func transfer(_ context: UnsafeMutableRawPointer?) -> CurlTransfer {
    Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
}

private let curlBody: lathe_curl_data_cb = { data, size, count, context in
    let n = size * count
    return transfer(context).body(UnsafeRawBufferPointer(start: data, count: n)) ? n : 0
}

private let curlHeader: lathe_curl_data_cb = { data, size, count, context in
    let n = size * count
    let line = UnsafeBufferPointer(start: UnsafeRawPointer(data)?.assumingMemoryBound(to: UInt8.self), count: n)
    return transfer(context).header(line) ? n : 0
}

private let curlProgress: lathe_curl_progress_cb = { context, _, _, _, _ in
    transfer(context).shouldAbort ? 1 : 0
}
