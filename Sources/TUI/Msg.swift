// Everything that can happen to the app, as values: input, resize, time, and events from the bus.
import Bus
import Foundation
import Screen

public enum Msg: Sendable, Equatable {
    case key(Key)
    case paste(String)
    case mouse(MouseEvent)
    case resize(Size)
    /// The process was told to end (SIGTERM, SIGHUP…): quit as Ctrl-Q does.
    case terminate
    /// Wall-clock time, about once a second (stamps saved conversations).
    case tick(Date)
    case generation(GenerationEvent)
    case chat(ChatEvent)
    case model(ModelEvent)
    case metrics(MetricsSample)
    case train(TrainEvent)
    case download(DownloadEvent)
    case quantize(QuantizeEvent)
    case server(ServerEvent)

    /// The message for a terminal event.
    public init(_ event: TerminalEvent) {
        switch event {
        case .key(let key): self = .key(key)
        case .paste(let text): self = .paste(text)
        case .resize(let size): self = .resize(size)
        case .mouse(let mouse): self = .mouse(mouse)
        case .terminate: self = .terminate
        }
    }
}

/// What the reducer asks the outside world to do; the app runner carries these out.
public enum Effect: Sendable, Equatable {
    case chat(ChatCommand)
    case model(ModelCommand)
    case train(TrainCommand)
    case download(DownloadCommand)
    case quantize(QuantizeCommand)
    case server(ServerCommand)
    /// Give the terminal back and stop the process (Ctrl-Z); redraw on return.
    case suspend
    case quit
}
