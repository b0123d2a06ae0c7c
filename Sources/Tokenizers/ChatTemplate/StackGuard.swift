// StackGuard: refuses to recurse further when the current thread's stack is nearly used up, so a deeply
// nested or self-recursive template fails with an error instead of crashing (debug frames are large).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct StackGuard {
    /// The lowest usable stack address of the thread that created the guard (stacks grow down).
    private let low: UInt?
    /// Space kept free for the error path and whatever the caller does afterwards.
    static let reserve: UInt = 192 * 1024

    init() {
        #if canImport(Glibc)
        // pthread_getattr_np is a GNU extension the Glibc module does not export; look it up at run time.
        typealias GetAttr = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_getattr_np") else { low = nil; return }
        let getattr = unsafeBitCast(symbol, to: GetAttr.self)
        var attr = pthread_attr_t()
        guard getattr(pthread_self(), &attr) == 0 else { low = nil; return }
        defer { pthread_attr_destroy(&attr) }
        var address: UnsafeMutableRawPointer? = nil
        var size = 0
        guard pthread_attr_getstack(&attr, &address, &size) == 0, let address else { low = nil; return }
        low = UInt(bitPattern: address)
        #elseif canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        low = top - UInt(pthread_get_stacksize_np(pthread_self()))
        #else
        low = nil
        #endif
    }

    @inline(never)
    func check() throws {
        guard let low else { return }
        var marker: UInt8 = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        if here < low + Self.reserve {
            throw ChatTemplateError(.limit, "template nests too deeply (stack nearly exhausted)")
        }
    }
}
