// Makes sure the terminal is always given back: at normal exit (atexit), on termination signals (SIGTERM, SIGINT,
// SIGHUP, SIGQUIT) and on fatal ones (a Swift trap is SIGILL/SIGTRAP).
//
// A signal handler may only call async-signal-safe functions, and ncurses' endwin is not one. So:
// - a termination signal's handler only records the signal and writes a byte to a pipe. The run loop (through
//   `NcursesBackend.pollEvents`) takes it within a frame and quits as Ctrl-Q does (a streaming reply is stopped
//   and saved); after its shutdown the command calls `exitIfTerminated()`, which restores the terminal with endwin
//   and dies of the same signal, so the exit status stays honest. A watchdog thread reads the pipe and restores and
//   dies itself if the run loop has not taken the signal within a second (no UI running yet or any more, or a
//   stuck frame), or has taken it but not exited `shutdownGrace` seconds later.
// - a fatal signal leaves no loop to come back to: its handler writes escape bytes prepared in advance (leave the
//   alternate screen, mouse and bracketed paste off, cursor visible, attributes reset) and puts back the terminal
//   modes saved at start with tcsetattr (both async-signal-safe), then re-raises with the default action.
import CNcursesw
import Glibc
import Synchronization

public enum TerminalSession {
    nonisolated(unsafe) private static var installed = false
    /// The termination signal received and not yet acted on; 0 when none.
    private static let pending = Atomic<Int32>(0)
    /// Set when the run loop has taken the pending signal and is quitting in order.
    private static let taken = Atomic<Bool>(false)
    /// Seconds the watchdog allows an orderly quit (saves, services stopping) once the run loop took the signal.
    static let shutdownGrace: UInt32 = 5
    nonisolated(unsafe) private static var pipeWrite: Int32 = -1
    nonisolated(unsafe) private static var pipeRead: Int32 = -1
    nonisolated(unsafe) private static var savedModes = termios()
    nonisolated(unsafe) private static var haveSavedModes = false
    /// What the fatal-signal handler writes to the terminal (filled by `prepareCrashRestore` once curses is up).
    nonisolated(unsafe) private static let crashBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 512)
    nonisolated(unsafe) private static var crashByteCount = 0

    static let terminationSignals = [SIGTERM, SIGINT, SIGHUP, SIGQUIT]
    static let fatalSignals = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    /// Installs the restore handlers once. Call before creating an `NcursesBackend`.
    ///
    /// ```swift
    /// TerminalSession.install()
    /// let backend = try NcursesBackend(theme: theme)
    /// defer { backend.end() }
    /// ```
    public static func install() {
        guard !installed else { return }
        installed = true
        haveSavedModes = tcgetattr(STDIN_FILENO, &savedModes) == 0
        // Every static a handler reads is initialised here, never first touched inside a handler.
        _ = pending.load(ordering: .relaxed)
        _ = taken.load(ordering: .relaxed)
        _ = crashBytes
        crashByteCount = 0
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }     // not inherited by a spawned `lathe serve`
            pipeRead = fds[0]
            pipeWrite = fds[1]
            startWatchdog()
        }
        atexit { lathe_restore_terminal() }
        for sig in terminationSignals {
            signal(sig) { received in
                // Only async-signal-safe work here: an atomic store and write(2).
                var none: Int32 = 0
                _ = TerminalSession.pending.compareExchange(expected: none, desired: received, ordering: .relaxed)
                none = 1
                if TerminalSession.pipeWrite >= 0 { _ = write(TerminalSession.pipeWrite, &none, 1) }
            }
        }
        for sig in fatalSignals {
            signal(sig) { received in
                TerminalSession.restoreFromSignalHandler()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }

    /// Called by the backend once curses is up: prepares the bytes a fatal-signal handler writes, from this
    /// terminal's own terminfo strings.
    static func prepareCrashRestore() {
        var bytes: [UInt8] = []
        for capability in ["rmcup", "cnorm", "sgr0", "rmkx"] {
            guard let value = tigetstr(capability), Int(bitPattern: value) != -1 else { continue }   // -1: not a string
            bytes += Array(String(cString: value).utf8)
        }
        bytes += Array("\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1006l\u{1B}[?2004l\r\n".utf8)
        let count = min(bytes.count, 512)
        for i in 0..<count { crashBytes[i] = bytes[i] }
        crashByteCount = count
    }

    /// The termination signal waiting to be acted on, if any.
    static var pendingTermination: Int32? {
        let sig = pending.load(ordering: .relaxed)
        return sig == 0 ? nil : sig
    }

    /// The pending termination signal, taken by the run loop to quit in order; the watchdog then waits
    /// `shutdownGrace` seconds for `exitIfTerminated()` instead of one.
    static func takeTermination() -> Int32? {
        guard let sig = pendingTermination else { return nil }
        taken.store(true, ordering: .relaxed)
        return sig
    }

    /// Ends the process by the termination signal that made the run loop quit, if one did (call after shutdown):
    /// the exit status then says the signal (128 + its number), as if it had struck at once.
    public static func exitIfTerminated() {
        if let sig = pendingTermination { restoreAndDie(of: sig) }
    }

    /// Gives the terminal back (endwin, bracketed paste off) and ends the process by `sig`'s default action.
    /// Runs on the run loop's thread (or the watchdog's), never in a signal handler.
    static func restoreAndDie(of sig: Int32) -> Never {
        lathe_restore_terminal()
        signal(sig, SIG_DFL)
        // This may be a concurrency-pool thread, which blocks most signals: unblock this one so raise delivers it.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, sig)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(sig)
        _exit(128 + sig)
    }

    /// write(2) and tcsetattr(3) only: both are async-signal-safe.
    private static func restoreFromSignalHandler() {
        if crashByteCount > 0 { _ = write(STDOUT_FILENO, crashBytes, crashByteCount) }
        if haveSavedModes { _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedModes) }
    }

    /// A thread that waits on the pipe; after a termination signal it gives the run loop a second to take it, and
    /// then, if taken, `shutdownGrace` seconds more to quit.
    private static func startWatchdog() {
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { _ in
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_BLOCK, &all, nil)      // signals go to other threads; this one only reads the pipe
            var byte: UInt8 = 0
            while read(TerminalSession.pipeRead, &byte, 1) < 0, errno == EINTR {}
            guard let sig = TerminalSession.pendingTermination else { return nil }
            usleep(1_000_000)
            if TerminalSession.taken.load(ordering: .relaxed) { sleep(TerminalSession.shutdownGrace) }
            TerminalSession.restoreAndDie(of: sig)
        }, nil)
        if started == 0 { pthread_detach(thread) }
    }
}
