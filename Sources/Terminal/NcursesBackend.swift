// TerminalBackend over ncursesw: wide characters through cchar_t, one colour pair per style role resolved
// for 256/16/8-colour terminals, mouse, bracketed paste, and non-blocking input decoded into TerminalEvents.
// All calls happen on the caller's task; ncurses is not thread-safe, so use one backend from one task.
import CNcursesw
import Glibc
import Screen

public struct TerminalError: Error, CustomStringConvertible {
    public let description: String
}

public final class NcursesBackend: TerminalBackend {
    private var decoder = InputDecoder()
    private var styles: [Role: (attributes: attr_t, pair: Int16)] = [:]
    private var cursor: Point?
    private let colorCount: Int
    private var started = true

    /// Enters curses mode (alternate screen, raw input). Call `TerminalSession.install()` first so the
    /// terminal is restored on any exit.
    public init(theme: Theme) throws {
        setlocale(LC_ALL, "")
        guard initscr() != nil else { throw TerminalError(description: "ncurses could not initialise the terminal (TERM unset?)") }
        raw()
        noecho()
        nonl()
        keypad(lathe_stdscr(), true)
        nodelay(lathe_stdscr(), true)
        set_escdelay(25)
        var count = 0
        if has_colors() {
            start_color()
            use_default_colors()
            count = Int(lathe_colors())
        }
        colorCount = count
        mousemask(lathe_mouse_mask(), nil)
        mouseinterval(0)
        curs_set(0)
        Self.writeEscape("\u{1B}[?2004h")     // bracketed paste on
        TerminalSession.prepareCrashRestore()
        apply(theme: theme)
    }

    deinit { end() }

    /// Leaves curses mode; safe to call more than once.
    public func end() {
        guard started else { return }
        started = false
        lathe_restore_terminal()
    }

    public var size: Size { Size(width: Int(lathe_cols()), height: Int(lathe_lines())) }

    public func apply(theme: Theme) {
        styles = [:]
        for (index, role) in Role.allCases.enumerated() {
            let colors = theme.colors(for: role)
            var pair: Int16 = 0
            if colorCount >= 8, lathe_color_pairs() > index + 1 {
                pair = Int16(index + 1)
                init_pair(pair, Self.number(colors.foreground.resolved(colors: colorCount)),
                          Self.number(colors.background.resolved(colors: colorCount)))
            }
            styles[role] = (Self.attributes(colors.attributes), pair)
        }
    }

    public func draw(_ changes: [CellChange]) {
        var cell = cchar_t()
        for change in changes where !change.cell.isContinuation {
            let style = styles[change.cell.style.role] ?? (0, 0)
            let attributes = style.attributes | Self.attributes(change.cell.style.attributes)
            var wide: [wchar_t] = change.cell.character.unicodeScalars.prefix(4).map { wchar_t(bitPattern: $0.value) }
            wide.append(0)
            setcchar(&cell, wide, attributes, style.pair, nil)
            _ = lathe_mvadd_wch(Int32(change.y), Int32(change.x), &cell)
        }
    }

    public func clear() { werase(lathe_stdscr()) }

    public func setCursor(_ position: Point?) { cursor = position }

    public func flush() {
        if let cursor {
            wmove(lathe_stdscr(), Int32(cursor.y), Int32(cursor.x))
            curs_set(1)
        } else {
            curs_set(0)
        }
        wrefresh(lathe_stdscr())
    }

    public func pollEvents() -> [TerminalEvent] {
        // A SIGTERM (or SIGHUP, SIGINT, SIGQUIT) recorded by its handler: the app quits as Ctrl-Q does, then the
        // command dies of it (TerminalSession.exitIfTerminated).
        if TerminalSession.takeTermination() != nil { return [.terminate] }
        var raw: [RawInput] = []
        var ch: wint_t = 0
        while raw.count < 65_536 {
            let result = lathe_get_wch(&ch)
            if result == lathe_err() { break }
            if result == lathe_key_code_yes() {
                if let input = keyInput(Int32(ch)) { raw.append(input) }
            } else if let scalar = Unicode.Scalar(UInt32(ch)) {
                raw.append(.scalar(scalar))
            }
        }
        return raw.isEmpty ? [] : decoder.decode(raw)
    }

    /// Stops the process like Ctrl-Z in a shell; when `fg` resumes it, curses mode comes back. Returns false, and
    /// does nothing, when no job-control shell is there to resume it.
    public func suspend() -> Bool {
        let job = Self.job
        guard job != .none else { return false }
        endwin()
        Self.writeEscape("\u{1B}[?2004l")
        if job == .parentsJob {
            // Stop the rest of the job too (the shell without job control that started lathe), as a Ctrl-Z typed in
            // cooked mode would: the job-control shell above sees its job stop, and its `fg` continues all of it.
            // Ignored here meanwhile, so the signal stops only the others; this process stops just below.
            signal(SIGTSTP, SIG_IGN)
            kill(0, SIGTSTP)
        }
        signal(SIGTSTP, SIG_DFL)
        // Stop right here, synchronously. kill(getpid()) may hand the signal to another thread, and before that
        // thread acts on it ncurses (refreshing on this one) sets SIGTSTP to SIG_IGN for a moment, which discards
        // it. raise() targets this thread, but this is a concurrency-pool (Dispatch) thread, which blocks SIGTSTP:
        // unblock it here for the raise, so it is delivered before raise returns and the process stops.
        var tstp = sigset_t(), previous = sigset_t()
        sigemptyset(&tstp)
        sigaddset(&tstp, SIGTSTP)
        pthread_sigmask(SIG_UNBLOCK, &tstp, &previous)
        raise(SIGTSTP)
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        // Resumed.
        Self.writeEscape("\u{1B}[?2004h")
        clearok(lathe_stdscr(), true)
        wrefresh(lathe_stdscr())
        return true
    }

    enum Job { case own, parentsJob, none }

    /// Who could resume this process once stopped. A shell with job control runs each job in a process group of its
    /// own, in its session, and `fg` continues the whole group. `.own`: lathe is such a job. `.parentsJob`: lathe
    /// shares the group of a parent without job control (`sh -c 'lathe; …'`, a script) whose group's leader is a job
    /// of a job-control shell. `.none`: nobody (the group is orphaned, e.g. a tmux pane's command or a daemon's
    /// child; the kernel would discard the stop anyway).
    static var job: Job {
        let group = getpgrp(), session = getsid(0)
        func isJobOfAShell(leaderParent parent: pid_t) -> Bool {
            parent > 0 && getpgid(parent) != group && getsid(parent) == session
        }
        let parent = getppid()
        if getpgid(parent) != group { return isJobOfAShell(leaderParent: parent) ? .own : .none }
        guard let leaderParent = parentOf(group) else { return .none }
        return isJobOfAShell(leaderParent: leaderParent) ? .parentsJob : .none
    }

    /// The parent of process `pid`, from /proc/PID/stat ("pid (name) state ppid …"; the name may hold spaces).
    private static func parentOf(_ pid: pid_t) -> pid_t? {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 512)
        let count = fread(&buffer, 1, buffer.count - 1, file)
        let text = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    private func keyInput(_ code: Int32) -> RawInput? {
        if code == lathe_key_resize() { return .resize(size) }
        if code == lathe_key_mouse() {
            var event = MEVENT()
            guard getmouse(&event) == lathe_ok() else { return nil }
            let kind: MouseEvent.Kind? = lathe_is_scroll_up(event.bstate) != 0 ? .scrollUp
                : lathe_is_scroll_down(event.bstate) != 0 ? .scrollDown : lathe_is_press(event.bstate) != 0 ? .press : nil
            return kind.map { .mouse(MouseEvent(x: Int(event.x), y: Int(event.y), kind: $0)) }
        }
        return KeyCodes.key(for: code).map { .key($0) }
    }

    private static func writeEscape(_ sequence: String) {
        var bytes = Array(sequence.utf8)
        _ = write(STDOUT_FILENO, &bytes, bytes.count)
    }

    private static func number(_ color: TerminalColor) -> Int16 {
        switch color {
        case .terminalDefault: -1
        case .indexed(let n): Int16(n)
        }
    }

    static func attributes(_ a: Attributes) -> attr_t {
        var out: attr_t = 0
        if a.contains(.bold) { out |= lathe_a_bold() }
        if a.contains(.dim) { out |= lathe_a_dim() }
        if a.contains(.italic) { out |= lathe_a_italic() }
        if a.contains(.underline) { out |= lathe_a_underline() }
        if a.contains(.reverse) { out |= lathe_a_reverse() }
        return out
    }
}
