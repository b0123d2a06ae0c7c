// The request context: Hummingbird's core storage plus the connection's channel, whose close tells a
// running generation that its client has gone (so it is cancelled instead of running to the end).
import Hummingbird
import NIOCore

struct ServerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
