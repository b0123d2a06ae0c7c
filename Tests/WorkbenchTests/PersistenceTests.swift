// Conversations and config on disk: round trip, versions, atomic replacement, XDG locations.
import Bus
import Foundation
import Testing
import Workbench

private func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private let sample = Conversation(
    id: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!, title: "日本語 and emoji 🎉",
    systemPrompt: "Be brief.",
    messages: [ConversationMessage(role: .user, text: "hi\nthere"),
               ConversationMessage(role: .assistant, text: "<think>hm</think>Hello!", info: CompletionInfo(
                   promptTokens: 5, generatedTokens: 3, promptTokensPerSecond: 100, tokensPerSecond: 30,
                   timeToFirstToken: 0.1, stopReason: .endOfSequence))],
    parameters: ChatParameters(temperature: 0.3, topK: 10, topP: 0.9, minP: 0.05, repeatPenalty: 1.1,
                                     maxTokens: 64, seed: 7, contextLength: 1024),
    presetName: "Custom", updated: Date(timeIntervalSince1970: 1_700_000_000))

@Test func conversationsRoundTripThroughDisk() throws {
    let sessions = ChatSessions(directory: temporaryDirectory())
    try sessions.save(sample)
    var older = sample
    older.id = UUID()
    older.updated = Date(timeIntervalSince1970: 5)
    try sessions.save(older)
    let loaded = sessions.loadAll()
    #expect(loaded.errors.isEmpty)
    #expect(loaded.conversations == [sample, older])
    let text = try String(contentsOf: sessions.url(for: sample.id), encoding: .utf8)
    #expect(text.contains("\"version\" : 1"))
    try sessions.delete(sample.id)
    #expect(sessions.loadAll().conversations == [older])
}

@Test func unreadableFilesAreReportedNotFatal() throws {
    let directory = temporaryDirectory()
    let sessions = ChatSessions(directory: directory)
    try sessions.save(sample)
    try Data("{not json".utf8).write(to: directory.appendingPathComponent("broken.json"))
    try Data(#"{"version": 99, "conversation": {}}"#.utf8).write(to: directory.appendingPathComponent("future.json"))
    let loaded = sessions.loadAll()
    #expect(loaded.conversations == [sample])
    #expect(loaded.errors.count == 2)
    #expect(loaded.errors.contains { $0.contains("future.json") && $0.contains("version 99") })
}

@Test func atomicWriteReplacesAndLeavesNoTempFiles() throws {
    let directory = temporaryDirectory().appendingPathComponent("nested")
    let url = directory.appendingPathComponent("file.json")
    try AtomicFile.write(Data("one".utf8), to: url)
    try AtomicFile.write(Data("two".utf8), to: url)
    #expect(try String(contentsOf: url, encoding: .utf8) == "two")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["file.json"])
}

@Test func atomicWriteIntoAnUnwritablePlaceIsATypedError() {
    #expect(throws: WorkbenchError.self) {
        try AtomicFile.write(Data("x".utf8), to: URL(fileURLWithPath: "/proc/lathe-cannot/file.json"))
    }
}

@Test func directoriesFollowXDGWithHomeFallbacks() {
    let xdg = DataDirectory(environment: ["HOME": "/home/u", "XDG_DATA_HOME": "/x/data", "XDG_CONFIG_HOME": "/x/config"])
    #expect(xdg.data.path == "/x/data/lathe")
    #expect(xdg.configFile.path == "/x/config/lathe/config.json")
    let plain = DataDirectory(environment: ["HOME": "/home/u"])
    #expect(plain.conversations.path == "/home/u/.local/share/lathe/conversations")
    #expect(plain.config.path == "/home/u/.config/lathe")
}

@Test func configRoundTripsAndDefaultsWhenMissing() throws {
    let url = temporaryDirectory().appendingPathComponent("config.json")
    #expect(try AppConfig.load(from: url) == AppConfig())
    let config = AppConfig(theme: "light", lastModel: "models/x.gguf", framesPerSecond: 30)
    try config.save(to: url)
    #expect(try AppConfig.load(from: url) == config)
    try Data("[]".utf8).write(to: url)
    #expect(throws: WorkbenchError.self) { try AppConfig.load(from: url) }
}
