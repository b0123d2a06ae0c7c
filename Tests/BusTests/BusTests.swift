// Bus behaviour: ordering, fan-out, slow subscribers per delivery policy, request/response, shutdown, leaks.
import LatheTestSupport
import Bus
import Testing

private let numbers = Topic<Int>(name: "test.numbers", delivery: .reliable)
private let telemetry = Topic<Int>(name: "test.telemetry", delivery: .latest(2))
private let questions = Topic<Envelope<String>>(name: "test.questions", delivery: .reliable)
private let answers = Topic<Envelope<Int>>(name: "test.answers", delivery: .reliable)

/// Yields until `condition` holds (removal of a subscriber happens on a task the stream's end schedules).
private func eventually(_ condition: () async -> Bool) async -> Bool {
    for _ in 0..<10_000 {
        if await condition() { return true }
        await Task.yield()
    }
    return false
}

@Test func messagesFromOnePublisherArriveInOrder() async {
    let bus = Bus()
    let stream = await bus.subscribe(numbers)
    for i in 0..<1000 { await bus.publish(i, on: numbers) }
    await bus.shutdown()
    var received: [Int] = []
    for await n in stream { received.append(n) }
    #expect(received == Array(0..<1000))
}

@Test func everySubscriberGetsEveryMessage() async {
    let bus = Bus()
    let streams = [await bus.subscribe(numbers), await bus.subscribe(numbers), await bus.subscribe(numbers)]
    for i in 0..<10 { await bus.publish(i, on: numbers) }
    await bus.shutdown()
    for stream in streams {
        var received: [Int] = []
        for await n in stream { received.append(n) }
        #expect(received == Array(0..<10))
    }
}

@Test func topicsWithTheSameTypeAreSeparate() async {
    let bus = Bus()
    let stream = await bus.subscribe(numbers)
    await bus.publish(99, on: telemetry)
    await bus.publish(1, on: numbers)
    await bus.shutdown()
    var received: [Int] = []
    for await n in stream { received.append(n) }
    #expect(received == [1])
}

@Test func slowSubscriberOnReliableTopicLosesNothing() async {
    let bus = Bus()
    let slow = await bus.subscribe(numbers)
    for i in 0..<50_000 { await bus.publish(i, on: numbers) }   // nobody reads while these go out
    await bus.shutdown()
    var count = 0
    for await _ in slow { count += 1 }
    #expect(count == 50_000)
}

@Test func slowSubscriberOnLatestTopicKeepsTheNewest() async {
    let bus = Bus()
    let slow = await bus.subscribe(telemetry)
    for i in 0..<100 { await bus.publish(i, on: telemetry) }
    await bus.shutdown()
    var received: [Int] = []
    for await n in slow { received.append(n) }
    #expect(received == [98, 99])
}

@Test func requestGetsTheMatchingReply() async throws {
    let bus = Bus()
    let requests = await bus.subscribe(questions)
    let responder = Task {
        for await question in requests { await bus.reply(to: question, with: question.payload.count, on: answers) }
    }
    let length = try await bus.request("hello", on: questions, replyOn: answers, timeout: .seconds(5))
    #expect(length == 5)
    responder.cancel()
    await bus.shutdown()
}

@Test func requestTimesOutOnTheInjectedClock() async throws {
    let bus = Bus()
    let clock = ManualClock()
    let waiting = Task {
        try await bus.request("anyone?", on: questions, replyOn: answers, timeout: .seconds(2), clock: clock)
    }
    await clock.waitForSleepers(1)
    clock.advance(by: .seconds(1))
    #expect(clock.sleeperCount == 1)
    clock.advance(by: .seconds(1))
    await #expect(throws: BusError.timeout(topic: "test.answers")) { try await waiting.value }
    #expect(await eventually { await bus.subscriberCount(answers) == 0 })
}

@Test func shutdownFinishesEveryStream() async {
    let bus = Bus()
    let a = await bus.subscribe(numbers)
    let b = await bus.subscribe(.metrics)
    await bus.shutdown()
    var count = 0
    for await _ in a { count += 1 }
    for await _ in b { count += 1 }
    #expect(count == 0)
    let late = await bus.subscribe(numbers)
    await bus.publish(1, on: numbers)
    for await _ in late { count += 1 }
    #expect(count == 0)
    #expect(await bus.totalSubscriberCount == 0)
}

@Test func endedSubscriptionsAreRemoved() async {
    let bus = Bus()
    let reader = Task {
        let stream = await bus.subscribe(numbers)
        for await n in stream where n == 3 { break }    // leaving the loop drops the stream
    }
    #expect(await eventually { await bus.subscriberCount(numbers) == 1 })
    for i in 0...3 { await bus.publish(i, on: numbers) }
    await reader.value
    #expect(await eventually { await bus.subscriberCount(numbers) == 0 })

    let cancelled = Task {
        let stream = await bus.subscribe(numbers)
        for await _ in stream {}
    }
    #expect(await eventually { await bus.subscriberCount(numbers) == 1 })
    cancelled.cancel()
    await cancelled.value
    #expect(await eventually { await bus.totalSubscriberCount == 0 })
}

@Test func publishedCountCountsEveryMessage() async {
    let bus = Bus()
    for i in 0..<7 { await bus.publish(i, on: numbers) }
    #expect(await bus.publishedCount == 7)
}

/// What a service does with `deliver`: records the commands it is handed.
private actor Recorder {
    var seen: [Int] = []
    func record(_ n: Int) async {
        await Task.yield()                 // a handler that suspends must still see the next message only after
        seen.append(n)
    }
}

@Test func deliverHandsAServiceEveryMessageInOrderFromTheMomentItReturns() async {
    let bus = Bus()
    let recorder = Recorder()
    let listener = await bus.deliver(numbers, to: recorder) { await $0.record($1) }
    for i in 0..<500 { await bus.publish(i, on: numbers) }
    await bus.shutdown()
    await listener.value                   // ends with the bus
    #expect(await recorder.seen == Array(0..<500))
}

@Test func deliverStopsWhenCancelledAndHoldsTheServiceWeakly() async {
    let bus = Bus()
    var recorder: Recorder? = Recorder()
    weak let held = recorder
    let listener = await bus.deliver(numbers, to: recorder!) { await $0.record($1) }
    recorder = nil
    #expect(held == nil, "deliver kept the service alive")
    await bus.publish(1, on: numbers)      // the first message after the service is gone ends the task
    await listener.value
    let cancelled = await bus.deliver(numbers, to: Recorder()) { await $0.record($1) }
    cancelled.cancel()
    await cancelled.value
}
