// MetricsSampler on a manual clock: a sample per interval with rates from generation events and CPU from
// injected process figures; /proc parsing checked on fixed strings and on this process.
import LatheTestSupport
import Bus
import Testing
import Workbench

private final class FakeProcess: @unchecked Sendable {
    var cpuSeconds = 0.0
}

@Test func samplesArriveEachIntervalWithTokenRateCPUAndKVFill() async {
    let bus = Bus()
    let clock = ManualClock()
    let process = FakeProcess()
    let sampler = MetricsSampler(bus: bus, clock: clock, interval: .seconds(1)) {
        ProcessStats(residentBytes: 300 << 20, cpuSeconds: process.cpuSeconds)
    }
    let samples = await bus.subscribe(.metrics)
    await sampler.start()
    await bus.publish(.token(request: .init(), text: "x", stats: TokenStats(generatedTokens: 1, tokensPerSecond: 37,
                                                                           contextUsed: 512, contextSize: 2048)),
                      on: .generation)
    await clock.waitForSleepers(1)
    process.cpuSeconds = 0.5
    // Let the sampler see the token event before time moves.
    var iterator = samples.makeAsyncIterator()
    while await sampler.observedEvents < 1 { await Task.yield() }
    clock.advance(by: .seconds(1))
    let sample = await iterator.next()
    #expect(sample?.time == 1)
    #expect(sample?.generationTokensPerSecond == 37)
    #expect(sample?.kvFill == 0.25)
    #expect(sample?.cpuPercent == 50)
    #expect(sample?.residentBytes == 300 << 20)
    await sampler.stop()
}

@Test func procParsingHandlesSpacesInTheCommandName() {
    #expect(ProcessStats.residentPages(statm: "1000 250 30 1 0 100 0\n") == 250)
    let stat = "1234 (my (odd) cmd) S 1 2 3 4 5 6 7 8 9 10 120 30 0 0 20 0 1 0"
    #expect(ProcessStats.cpuTicks(stat: stat) == 150)
    let current = ProcessStats.current()
    #expect((current?.residentBytes ?? 0) > 1 << 20)
}
