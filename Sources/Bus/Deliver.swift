// A service's command loop, written once: subscribe to the service's command topic, then hand each command to
// the service in order. Every service's `start()` is this plus what is its own.

extension Bus {
    /// Subscribes to `topic` before returning, so nothing published afterwards is missed, and hands each message to
    /// `handle` with `service`, one at a time, in order. The returned task ends when it is cancelled, when the bus
    /// shuts down, or at the first message after `service` is gone (it is held weakly).
    ///
    /// ```swift
    /// listener = await bus.deliver(.modelCommands, to: self) { await $0.handle($1) }
    /// ```
    public nonisolated func deliver<Service: AnyObject & Sendable, Message: Sendable>(
        _ topic: Topic<Message>, to service: Service, _ handle: @escaping @Sendable (Service, Message) async -> Void
    ) async -> Task<Void, Never> {
        let messages = await subscribe(topic)
        return Task { [weak service] in
            for await message in messages {
                guard let service else { return }
                await handle(service, message)
            }
        }
    }
}
