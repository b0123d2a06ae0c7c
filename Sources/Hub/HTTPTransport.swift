// HTTP over Foundation's URLSession (libcurl on Linux), download bodies over libcurl directly. Redirects are never followed by URLSession: we follow
// them ourselves so the token goes only to the Hub's own origin (as huggingface_hub does) and a Range header
// survives the hop to the storage host. A 2xx body can be streamed into a sink as it arrives (bounded memory).
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Receives a streamed 2xx response body on URLSession's delegate thread (never on the Swift concurrency pool).
public protocol HTTPBodySink: AnyObject, Sendable {
    /// Called once, before any body byte; throwing aborts the transfer with that error.
    func open(_ response: HTTPURLResponse) throws
    /// Called for every chunk in order; throwing aborts the transfer with that error.
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

public struct HTTPResult: Sendable {
    public var response: HTTPURLResponse
    /// The body when it was not streamed into a sink (capped at `HTTPTransport.bufferedBodyLimit`).
    public var body: Data
    /// The final URL after any redirects.
    public var url: URL
    /// The redirect responses seen on the way, first to last.
    public var redirects: [HTTPURLResponse]

    public var status: Int { response.statusCode }
    public func header(_ name: String) -> String? { response.value(forHTTPHeaderField: name) }
}

public struct HTTPTransport: Sendable {
    static let bufferedBodyLimit = 64 << 20
    /// Seconds without any byte before a request fails (a stalled connection); retried by the caller.
    public var stallTimeout: TimeInterval
    public var maxRedirects = 10

    public init(stallTimeout: TimeInterval = 30) { self.stallTimeout = stallTimeout }

    /// GET (or HEAD) `url`, following redirects by hand. `token` is sent as a Bearer token to URLs on the same
    /// origin as `tokenOrigin` only. With a `sink`, a 2xx body is streamed into it; otherwise it is buffered.
    public func send(_ url: URL, method: String = "GET", headers: [String: String] = [:], token: String? = nil,
                     tokenOrigin: URL? = nil, sink: HTTPBodySink? = nil) async throws -> HTTPResult {
        var current = url
        var redirects: [HTTPURLResponse] = []
        while true {
            var request = URLRequest(url: current)
            request.httpMethod = method
            request.timeoutInterval = stallTimeout
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            if let token, HubEndpoint.sameOrigin(current, tokenOrigin ?? url) {
                request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            }
            request.setValue("lathe/0.1", forHTTPHeaderField: "User-Agent")
            let (response, body) = try await perform(request, sink: sink)
            if [301, 302, 303, 307, 308].contains(response.statusCode),
               let location = response.value(forHTTPHeaderField: "Location") {
                guard redirects.count < maxRedirects else {
                    throw HubError.badResponse(url: url.absoluteString, reason: "more than \(maxRedirects) redirects")
                }
                guard let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                    throw HubError.badResponse(url: current.absoluteString, reason: "bad redirect location '\(location)'")
                }
                redirects.append(response)
                current = next
                continue
            }
            return HTTPResult(response: response, body: body, url: current, redirects: redirects)
        }
    }

    /// Streamed bodies go through libcurl called directly when it loads (see CurlTransfer); the environment
    /// variable LATHE_HTTP_CLIENT=urlsession keeps every request on URLSession (to compare, or as a way out).
    static let streamsWithCurl = ProcessInfo.processInfo.environment["LATHE_HTTP_CLIENT"] != "urlsession"
        && CurlTransfer.isAvailable

    private func perform(_ request: URLRequest, sink: HTTPBodySink?) async throws -> (HTTPURLResponse, Data) {
        if sink != nil, Self.streamsWithCurl {
            return try await CurlTransfer(request, sink: sink, stallTimeout: stallTimeout).run()
        }
        let delegate = TransferDelegate(sink: sink, url: request.url!)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = stallTimeout
        configuration.timeoutIntervalForResource = 7 * 24 * 3600
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                delegate.start(task, continuation)
            }
        } onCancel: {
            delegate.cancel()
        }
    }
}

/// One transfer's callbacks; the lock guards state touched by the delegate queue and by cancellation.
private final class TransferDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private let sink: HTTPBodySink?
    private let url: URL
    private var task: URLSessionTask?
    private var continuation: CheckedContinuation<(HTTPURLResponse, Data), Error>?
    private var response: HTTPURLResponse?
    private var streaming = false
    private var buffered = Data()
    private var failure: Error?
    private var cancelled = false

    init(sink: HTTPBodySink?, url: URL) {
        self.sink = sink
        self.url = url
    }

    func start(_ task: URLSessionTask, _ continuation: CheckedContinuation<(HTTPURLResponse, Data), Error>) {
        let alreadyCancelled: Bool = lock.withLock {
            self.task = task
            self.continuation = continuation
            return cancelled
        }
        if alreadyCancelled { finish(.failure(CancellationError())) } else { task.resume() }
    }

    func cancel() {
        let task: URLSessionTask? = lock.withLock {
            cancelled = true
            return self.task
        }
        task?.cancel()
    }

    private func finish(_ result: Result<(HTTPURLResponse, Data), Error>) {
        let continuation: CheckedContinuation<(HTTPURLResponse, Data), Error>? = lock.withLock {
            defer { self.continuation = nil }
            return self.continuation
        }
        continuation?.resume(with: result)
    }

    private func abort(_ error: Error) {
        let task: URLSessionTask? = lock.withLock {
            if failure == nil { failure = error }
            return self.task
        }
        task?.cancel()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)          // HTTPTransport.send follows redirects itself
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            abort(HubError.badResponse(url: url.absoluteString, reason: "not an HTTP response"))
            completionHandler(.cancel)
            return
        }
        self.response = http
        if let sink, (200..<300).contains(http.statusCode) {
            do {
                try sink.open(http)
                streaming = true
            } catch {
                abort(error)
                completionHandler(.cancel)
                return
            }
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        if streaming, let sink {
            do {
                try data.withUnsafeBytes { try sink.write($0) }
            } catch {
                abort(error)
            }
        } else if buffered.count < HTTPTransport.bufferedBodyLimit {
            buffered.append(data)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let (failure, cancelled) = lock.withLock { (self.failure, self.cancelled) }
        if let failure { return finish(.failure(failure)) }
        if cancelled { return finish(.failure(CancellationError())) }
        if let error {
            return finish(.failure(HubError.transport(url: url.absoluteString, reason: Self.describe(error))))
        }
        guard let response else {
            return finish(.failure(HubError.badResponse(url: url.absoluteString, reason: "no response")))
        }
        finish(.success((response, buffered)))
    }

    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        switch ns.code {
        case NSURLErrorTimedOut: return "no data for too long (timed out)"
        case NSURLErrorNetworkConnectionLost: return "the connection was lost"
        case NSURLErrorCannotConnectToHost: return "cannot connect to the server"
        case NSURLErrorCannotFindHost: return "cannot find the host"
        case NSURLErrorNotConnectedToInternet: return "not connected to the internet"
        default: return ns.localizedDescription
        }
    }
}
