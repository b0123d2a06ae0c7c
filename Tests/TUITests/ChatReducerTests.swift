// Chat behaviour through message scripts: sending, streaming, stopping, history, regenerate/continue/edit,
// conversations and parameters. Effects are asserted as values.
import Bus
import Foundation
import Screen
import Testing
import TUI

@Test func enterSendsTheMessageWithTheWholeContext() {
    var state = Fixture.state()
    let effects = run(&state, type("hi"), press(.enter))
    let conversation = state.chat.conversation
    #expect(effects == [.chat(.send(GenerationRequest(
        id: Fixture.requestID(effects)!, conversation: conversation.id, kind: .reply,
        turns: [ChatTurn(role: .system, text: "You are a helpful assistant."), ChatTurn(role: .user, text: "hi")],
        parameters: ChatParameters())))])
    #expect(state.chat.input.isEmpty)
    #expect(conversation.title == "hi")
    #expect(conversation.messages.map(\.role) == [.user, .assistant])
    #expect(state.chat.isGenerating)
}

@Test func emptyInputSendsNothing() {
    var state = Fixture.state()
    #expect(run(&state, type("  "), press(.enter)) == [])
}

@Test func altEnterAndCtrlJInsertNewlinesAndPasteNeverSends() {
    var state = Fixture.state()
    let effects = run(&state, type("a"), press(.altEnter), type("b"), press(.ctrl("j")), paste("line 1\nline 2\n"))
    #expect(effects == [])
    #expect(state.chat.input.text == "a\nb\nline 1\nline 2\n")
}

@Test func tokensStreamIntoTheReplyAndFinishSaves() {
    var state = Fixture.state()
    Fixture.exchange(&state, "hi", ["Hel", "lo"], finish: false)
    #expect(state.chat.conversation.messages.last?.text == "Hello")
    #expect(state.chat.generation?.tokens == 2)
    let id = state.chat.generation!.request
    let effects = run(&state, receive(.generation(.finished(request: id, Fixture.info))))
    #expect(effects == [.chat(.save(state.chat.conversation))])
    #expect(state.chat.conversation.messages.last?.info == Fixture.info)
    #expect(state.metrics.generations == [Fixture.info])
    #expect(!state.chat.isGenerating)
}

@Test func escapeStopsAndLateTokensAreIgnored() {
    var state = Fixture.state()
    Fixture.exchange(&state, "hi", ["partial"], finish: false)
    let id = state.chat.generation!.request
    let effects = run(&state, press(.escape))
    #expect(effects == [.chat(.stop), .chat(.save(state.chat.conversation))])
    run(&state, receive(.generation(.token(request: id, text: " late", stats: Fixture.stats(2)))))
    #expect(state.chat.conversation.messages.last?.text == "partial")
}

@Test func aStoppedReplyGetsItsFiguresFromTheLateFinish() {
    var state = Fixture.state()
    Fixture.exchange(&state, "hi", ["partial"], finish: false)
    let id = state.chat.generation!.request
    run(&state, press(.escape))
    var stoppedInfo = Fixture.info
    stoppedInfo.generatedTokens = 1
    stoppedInfo.stopReason = .cancelled
    run(&state, receive(.generation(.token(request: id, text: " late", stats: Fixture.stats(2)))))
    let effects = run(&state, receive(.generation(.finished(request: id, stoppedInfo))))
    #expect(effects == [.chat(.save(state.chat.conversation))])
    #expect(state.chat.conversation.messages.last == ConversationMessage(role: .assistant, text: "partial", info: stoppedInfo))
    #expect(state.metrics.generations == [stoppedInfo])
    #expect(state.chat.lastTokensPerSecond == stoppedInfo.tokensPerSecond)
    #expect(state.chat.stopped == nil)
    #expect(screen(state).rows.contains { $0.contains("1 tokens · 42.5 tok/s · first token 83 ms · stopped") })
    // Nothing more from that request changes anything.
    #expect(run(&state, receive(.generation(.finished(request: id, Fixture.info)))) == [])
    #expect(state.chat.conversation.messages.last?.info == stoppedInfo)
}

@Test func aStoppedRunsFiguresNeverLandOnAnotherReply() {
    // Stopped before any token: the empty reply is dropped, so the figures have nowhere to go.
    var state = Fixture.state()
    Fixture.exchange(&state, "first", ["done"])
    Fixture.exchange(&state, "second", [], finish: false)
    let empty = state.chat.generation!.request
    run(&state, press(.escape))
    #expect(run(&state, receive(.generation(.finished(request: empty, Fixture.info)))) == [])
    #expect(state.chat.conversation.messages.map(\.text) == ["first", "done", "second"])
    #expect(state.metrics.generations == [Fixture.info])               // only the finished first reply
    // Regenerated before the stopped run's finish came: the new reply is not the stopped one.
    Fixture.exchange(&state, "third", ["old"], finish: false)
    let old = state.chat.generation!.request
    run(&state, press(.escape), press(.ctrl("r")))
    #expect(state.chat.isGenerating)
    run(&state, receive(.generation(.finished(request: old, Fixture.info))))
    #expect(state.chat.conversation.messages.last == ConversationMessage(role: .assistant, text: ""))
}

@Test func ctrlCStopsAGenerationThenQuitsWhenIdle() {
    var state = Fixture.state()
    Fixture.exchange(&state, "hi", [], finish: false)
    #expect(run(&state, press(.ctrl("c"))).first == .chat(.stop))
    #expect(state.chat.conversation.messages.count == 1)       // the empty reply is dropped
    #expect(run(&state, press(.ctrl("c"))) == [.quit])
    var other = Fixture.state()
    #expect(run(&other, press(.ctrl("q"))) == [.quit])
    Fixture.exchange(&other, "hi", ["part"], finish: false)
    #expect(run(&other, press(.ctrl("q"))) == [.chat(.stop), .chat(.save(other.chat.conversation)), .quit])
}

@Test func upRecallsEarlierMessagesAndDownReturnsToTheDraft() {
    var state = Fixture.state()
    Fixture.exchange(&state, "first", ["a"])
    Fixture.exchange(&state, "second", ["b"])
    run(&state, type("draft"), press(.up))
    #expect(state.chat.input.text == "second")
    run(&state, press(.up))
    #expect(state.chat.input.text == "first")
    run(&state, press(.down), press(.down))
    #expect(state.chat.input.text == "draft")
}

@Test func regenerateDropsTheReplyAndAsksAgain() {
    var state = Fixture.state()
    Fixture.exchange(&state, "hi", ["old"])
    let effects = run(&state, press(.ctrl("r")))
    guard case .chat(.send(let request))? = effects.first else { Issue.record("no send"); return }
    #expect(request.kind == .regenerate)
    #expect(request.turns.last == ChatTurn(role: .user, text: "hi"))
    #expect(state.chat.conversation.messages.last?.text == "")
}

@Test func continueExtendsTheLastReply() {
    var state = Fixture.state()
    Fixture.exchange(&state, "hi", ["Once"])
    let effects = run(&state, press(.ctrl("o")))
    guard case .chat(.send(let request))? = effects.first else { Issue.record("no send"); return }
    #expect(request.kind == .continuation)
    #expect(request.turns.last == ChatTurn(role: .assistant, text: "Once"))
    run(&state, receive(.generation(.token(request: request.id, text: " upon", stats: Fixture.stats(1)))))
    #expect(state.chat.conversation.messages.map(\.text) == ["hi", "Once upon"])
}

@Test func editLastPutsTheMessageBackAndResendReplacesIt() {
    var state = Fixture.state()
    Fixture.exchange(&state, "wrong question", ["answer"])
    run(&state, press(.ctrl("e")))
    #expect(state.chat.input.text == "wrong question")
    #expect(state.chat.conversation.messages.isEmpty)
    run(&state, press(.backspace), press(.backspace), press(.backspace), press(.backspace), press(.backspace),
        press(.backspace), press(.backspace), press(.backspace))
    let effects = run(&state, type("right"), press(.enter))
    guard case .chat(.send(let request))? = effects.first else { Issue.record("no send"); return }
    #expect(request.turns.last == ChatTurn(role: .user, text: "wrong right"))
}

@Test func conversationsCanBeCreatedRenamedSwitchedAndDeleted() {
    var state = Fixture.state()
    Fixture.exchange(&state, "one", ["1"])
    run(&state, press(.ctrl("n")))
    #expect(state.chat.conversations.count == 2)
    #expect(state.chat.current == 0)
    run(&state, press(.ctrl("l")), press(.down), press(.enter))
    #expect(state.chat.conversation.title == "one")
    run(&state, press(.ctrl("l")), type("r"))
    #expect(state.chat.focus == .rename)
    run(&state, press(.backspace), press(.backspace), press(.backspace), type("Renamed"))
    let saved = run(&state, press(.enter))
    #expect(state.chat.conversation.title == "Renamed")
    #expect(saved == [.chat(.save(state.chat.conversation))])
    let id = state.chat.conversation.id
    #expect(run(&state, type("d")) == [])
    #expect(run(&state, type("d")) == [.chat(.delete(conversation: id))])
    #expect(state.chat.conversations.count == 1)
}

@Test func parametersAdjustAndPresetsApply() {
    var state = Fixture.state(120, 40)
    run(&state, press(.ctrl("g")), press(.down))
    let effects = run(&state, press(.right))
    #expect(state.chat.conversation.parameters.temperature == 0.75)
    #expect(state.chat.conversation.presetName == "Custom")
    #expect(effects == [.chat(.save(state.chat.conversation))])
    run(&state, type("p"))
    #expect(state.chat.conversation.presetName == "Balanced")
    run(&state, type("p"))
    #expect(state.chat.conversation.parameters.temperature == 0)
    run(&state, press(.escape))
    #expect(state.chat.focus == .input)
}

@Test func systemPromptIsEditedAndSentWithTheNextRequest() {
    var state = Fixture.state()
    run(&state, press(.ctrl("s")))
    for _ in 0..<40 { run(&state, press(.backspace)) }
    run(&state, type("Be brief."), press(.enter))
    let effects = run(&state, type("hi"), press(.enter))
    guard case .chat(.send(let request))? = effects.first else { Issue.record("no send"); return }
    #expect(request.turns.first == ChatTurn(role: .system, text: "Be brief."))
}

@Test func savedConversationsReplaceTheEmptyStartAndReopenTheNewest() {
    var state = Fixture.state()
    let old = Conversation(id: UUID(), title: "old", messages: [ConversationMessage(role: .user, text: "x")],
                           updated: Date(timeIntervalSince1970: 10))
    let newer = Conversation(id: UUID(), title: "newer", messages: [ConversationMessage(role: .user, text: "y")],
                             updated: Date(timeIntervalSince1970: 20))
    run(&state, receive(.chat(.conversations([old, newer]))))
    #expect(state.chat.conversations.map(\.title) == ["newer", "old"])
    #expect(state.chat.conversation.title == "newer")
}

@Test func scrollingStopsAtTheTopOfTheConversation() {
    var state = Fixture.state()
    Fixture.exchange(&state, "short", ["reply"])
    run(&state, press(.pageUp), press(.pageUp))
    #expect(state.chat.scroll == 0)
    for i in 0..<20 { Fixture.exchange(&state, "question \(i)", ["answer \(i)"]) }
    run(&state, press(.pageUp))
    #expect(state.chat.scroll == 12)
    for _ in 0..<20 { run(&state, press(.pageUp)) }
    let top = state.chat.scroll
    run(&state, press(.pageDown))
    #expect(state.chat.scroll == top - 12)
}
