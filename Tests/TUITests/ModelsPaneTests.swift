// The Models pane's Hub browser and download queue as scripts of keys and service events: search, pick a
// repository, download a file, follow progress, pause/resume/cancel, load the finished model; plus golden screens.
import Bus
import Screen
import Testing
import TUI

private enum Hub {
    static let results = [HubRepoSummary(id: "bartowski/SmolLM2-135M-Instruct-GGUF", downloads: 48_213, likes: 12),
                          HubRepoSummary(id: "unsloth/SmolLM2-360M-GGUF", downloads: 9_120, likes: 3, gated: true)]
    static func option(_ quant: String, _ size: Int, fit: HubFileOption.Fit = .fits, installed: Bool = false) -> HubFileOption {
        HubFileOption(name: "SmolLM2-135M-Instruct-\(quant).gguf", quantization: quant,
                      files: [RemoteFile(path: "SmolLM2-135M-Instruct-\(quant).gguf", size: size, sha256: nil)],
                      memoryNeeded: size + size * 15 / 100 + 200_000_000, fit: fit, installed: installed)
    }
    static let files = [option("Q4_K_M", 105_000_000), option("Q8_0", 145_000_000, installed: true),
                        option("F16", 271_000_000)]
    static let repo = results[0].id
    static func status(_ state: DownloadState, bytes: Int, rate: Double = 0, eta: Double? = nil) -> DownloadStatus {
        DownloadStatus(id: "\(repo):\(files[0].name)", repo: repo, name: files[0].name, quantization: "Q4_K_M",
                       state: state, bytes: bytes, total: 105_000_000, bytesPerSecond: rate, eta: eta)
    }
}

/// Models pane → search "smol" → results → files → download Q4_K_M, with 40% done.
private func browsing(_ width: Int, _ height: Int) -> (AppState, [Effect]) {
    var state = Fixture.state(width, height)
    var effects = run(&state, press(.alt("2")), receive(.model(.available([Fixture.smol]))), type("/"), type("smol"),
                      press(.enter))
    effects += run(&state, receive(.download(.searchResults(query: "smol", Hub.results))), press(.enter))
    effects += run(&state, receive(.download(.files(repo: Hub.repo, Hub.files))), press(.enter))
    effects += run(&state, receive(.download(.status(Hub.status(.running, bytes: 42_000_000, rate: 12_500_000, eta: 5)))))
    return (state, effects)
}

@Test func searchPickDownloadFollowsTheKeymapAndEvents() {
    let (state, effects) = browsing(120, 40)
    #expect(effects == [.download(.search(query: "smol", limit: 30)), .download(.listFiles(repo: Hub.repo)),
                        .download(.fetch(repo: Hub.repo, revision: "main", option: Hub.files[0]))])
    #expect(state.models.focus == .downloads && state.scope == .downloads)
    #expect(state.models.downloads.first?.bytes == 42_000_000)
}

@Test func typingInTheSearchFieldDoesNotTriggerKeys() {
    var state = Fixture.state()
    run(&state, press(.alt("2")), type("/"), type("q?rs/"))
    #expect(state.models.hub.query.text == "q?rs/" && state.overlay == nil && state.isEditingText)
    run(&state, press(.backspace), press(.escape))
    #expect(state.models.hub.query.text == "q?rs" && state.models.focus == .local && !state.isEditingText)
}

@Test func pauseResumeCancelAndLoadWhenFinished() {
    var (state, _) = browsing(80, 24)
    #expect(run(&state, type("p")) == [.download(.pause(id: Hub.status(.running, bytes: 0).id))])
    run(&state, receive(.download(.status(Hub.status(.paused, bytes: 42_000_000)))))
    #expect(run(&state, type("p")) == [.download(.resume(id: Hub.status(.running, bytes: 0).id))])
    #expect(run(&state, type("x")) == [.download(.cancel(id: Hub.status(.running, bytes: 0).id))])
    // Finishing asks for a rescan once, marks the file installed, and Enter loads it.
    let path = "models/\(Hub.files[0].name)"
    #expect(run(&state, receive(.download(.status(Hub.status(.finished(path: path), bytes: 105_000_000))))) == [.model(.scan)])
    #expect(run(&state, receive(.download(.status(Hub.status(.finished(path: path), bytes: 105_000_000))))) == [])
    #expect(state.models.hub.files[0].installed)
    #expect(run(&state, press(.enter)) == [.model(.load(path: path))])
    #expect(run(&state, type("x")) == [])           // a finished download cannot be cancelled
}

@Test func hubErrorsShowAndClearTheSpinner() {
    var state = Fixture.state(120, 40)
    run(&state, press(.alt("2")), type("/"), type("llama"), press(.enter))
    #expect(state.models.hub.searching == "llama")
    run(&state, receive(.download(.hubError("'o/x' is gated or private (HTTP 401): set HF_TOKEN"))))
    #expect(state.models.hub.searching == nil && state.models.hub.error?.contains("HF_TOKEN") == true)
    #expect(screen(state).rows.joined().contains("set HF_TOKEN"))
}

@Test func downloadProgressStaysInTheStatusBarInOtherPanes() {
    var (state, _) = browsing(120, 40)
    run(&state, press(.alt("1")))
    #expect(screen(state).rows.last?.contains("↓40% 11.9 MiB/s") == true)
}

@Test(arguments: [(120, 40), (80, 24), (20, 5)]) func modelsHubScreens(width: Int, height: Int) {
    var (state, _) = browsing(width, height)
    run(&state, receive(.download(.status(DownloadStatus(id: "o/r:big.gguf", repo: "o/r", name: "big-Q8_0.gguf",
        quantization: "Q8_0", state: .failed("disk full"), bytes: 10_000_000, total: 900_000_000)))))
    run(&state, press(.escape))                       // downloads → local (focus ring shown on the list)
    run(&state, type("/"))
    assertScreen(screen(state), matches: "models-hub-\(width)x\(height)")
    run(&state, press(.tab), press(.tab))              // search → results → files
    assertScreen(screen(state), matches: "models-hub-files-\(width)x\(height)")
}

@Test func remoteEndpointFieldSwitchesTheChatBackend() {
    var state = Fixture.state(120, 40)
    run(&state, press(.alt("2")), receive(.model(.available([Fixture.smol]))))
    // `e` opens the field; printable keys (even `?`, `q`, `e`) type into it.
    run(&state, type("e"))
    #expect(state.scope == .modelsEndpoint && state.isEditingText)
    run(&state, type("http://127.0.0.1:9999?x"), press(.backspace), press(.backspace), type(" qwen"))
    #expect(run(&state, press(.enter)) == [.chat(.useBackend(.remote(url: "http://127.0.0.1:9999", model: "qwen")))])
    #expect(state.models.endpointField == nil && state.models.connecting == "http://127.0.0.1:9999" && state.scope == .models)

    // Until the service answers, "connecting…"; then the endpoint in use; a failure keeps the old one and says why.
    run(&state, receive(.chat(.backendChanged(remote: "http://127.0.0.1:9999 (qwen)"))))
    #expect(state.models.remote == "http://127.0.0.1:9999 (qwen)" && state.models.connecting == nil)
    #expect(snapshotText(screen(state)).contains("chat uses remote http://127.0.0.1:9999"))
    run(&state, type("e"))
    #expect(state.models.endpointField?.text == "http://127.0.0.1:9999 qwen", "starts from the endpoint in use")
    #expect(snapshotText(screen(state)).contains("Remote: http://127.0.0.1:9999 qwen"))
    run(&state, press(.escape))
    #expect(state.models.endpointField == nil && state.models.remote == "http://127.0.0.1:9999 (qwen)")

    run(&state, type("e"))
    run(&state, press(.home), type("x"))
    #expect(run(&state, press(.enter)) == [.chat(.useBackend(.remote(url: "xhttp://127.0.0.1:9999", model: "qwen")))])
    run(&state, receive(.chat(.backendFailed("xhttp://127.0.0.1:9999: expected an http(s) URL"))))
    #expect(state.models.remote == "http://127.0.0.1:9999 (qwen)" && state.models.connecting == nil)
    #expect(state.models.lastError?.contains("expected an http(s) URL") == true)

    // Three words are refused in the pane; an empty field goes back to the local engine.
    run(&state, type("e"))
    run(&state, type(" a b"))
    #expect(run(&state, press(.enter)) == [])
    #expect(state.models.lastError?.contains("expected 'URL [MODEL]'") == true)
    run(&state, type("e"))
    while state.models.endpointField?.isEmpty == false { run(&state, press(.backspace)) }
    #expect(run(&state, press(.enter)) == [.chat(.useBackend(.local))])
    run(&state, receive(.chat(.backendChanged(remote: nil))))
    #expect(state.models.remote == nil && !snapshotText(screen(state)).contains("chat uses remote"))
}
