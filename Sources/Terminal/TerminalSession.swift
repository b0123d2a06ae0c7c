// Makes sure the terminal is always given back: at normal exit (atexit), on SIGTERM/SIGINT/SIGHUP/SIGQUIT,
// and on fatal signals (a Swift trap is SIGILL/SIGTRAP). The handler restores, then re-raises with the
// default action so the exit status stays honest.
import CNcursesw
import Glibc

public enum TerminalSession {
    nonisolated(unsafe) private static var installed = false

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
        atexit { lathe_restore_terminal() }
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            signal(sig) { received in
                lathe_restore_terminal()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}
