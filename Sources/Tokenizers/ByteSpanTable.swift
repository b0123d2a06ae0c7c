// An open-addressing hash table from byte strings to token ids over one contiguous byte blob: built in one pass
// (no per-token allocation) and looked up with a pointer + length, so encoders never build temporary strings.

struct ByteSpanTable: @unchecked Sendable {
    /// All keys, concatenated; key i is blob[offsets[i] ..< offsets[i + 1]] and maps to values[i].
    private(set) var blob: [UInt8] = []
    private(set) var offsets: [Int32] = [0]
    private(set) var values: [Int32] = []
    private var slots: [Int32]
    private var hashes: [UInt32]
    private var mask: Int

    init(expectedCount: Int) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity <<= 1 }
        slots = [Int32](repeating: -1, count: capacity)
        hashes = [UInt32](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    var count: Int { offsets.count - 1 }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var i = 0
        while i + 8 <= n {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { tail |= UInt64(p[i]) << shift; shift += 8; i += 1 }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 32
        return h
    }

    /// Adds `key → value` unless the key is present; returns the entry index of the key (new or existing).
    @discardableResult
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: Int32) -> Int32 {
        if let existing = entry(key) { return existing }
        let index = Int32(count)
        blob.append(contentsOf: key)
        offsets.append(Int32(blob.count))
        values.append(value)
        if count * 2 > slots.count { grow() } else { place(index, hash: Self.hash(key.baseAddress ?? UnsafePointer(bitPattern: 1)!, key.count)) }
        return index
    }

    private mutating func place(_ index: Int32, hash: UInt64) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = index
        hashes[slot] = UInt32(truncatingIfNeeded: hash >> 32)
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = [Int32](repeating: -1, count: capacity)
        hashes = [UInt32](repeating: 0, count: capacity)
        mask = capacity - 1
        let blobCopy = blob
        blobCopy.withUnsafeBufferPointer { b in
            for i in 0..<count {
                let start = Int(offsets[i]), end = Int(offsets[i + 1])
                place(Int32(i), hash: Self.hash(b.baseAddress! + start, end - start))
            }
        }
    }

    func entry(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard let base = key.baseAddress else { return entry(UnsafePointer(bitPattern: 1)!, 0) }
        return entry(base, key.count)
    }

    /// The value stored for the key `p[0..<n]`, or nil.
    @inline(__always)
    func value(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        guard let e = entry(p, n) else { return nil }
        return values.withUnsafeBufferPointer { $0[Int(e)] }
    }

    func value(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard let e = entry(key) else { return nil }
        return values[Int(e)]
    }

    /// The entry index of the key `p[0..<n]`, or nil.
    @inline(__always)
    func entry(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        let h = Self.hash(p, n)
        let tag = UInt32(truncatingIfNeeded: h >> 32)
        return slots.withUnsafeBufferPointer { slots in
            hashes.withUnsafeBufferPointer { hashes in
                offsets.withUnsafeBufferPointer { offsets in
                    blob.withUnsafeBufferPointer { blob in
                        var slot = Int(truncatingIfNeeded: h) & mask
                        while true {
                            let index = slots[slot]
                            if index < 0 { return nil }
                            if hashes[slot] == tag {
                                let start = Int(offsets[Int(index)]), end = Int(offsets[Int(index) + 1])
                                if end - start == n && (n == 0 || memcmpBytes(blob.baseAddress! + start, p, n)) {
                                    return index
                                }
                            }
                            slot = (slot + 1) & mask
                        }
                    }
                }
            }
        }
    }

    /// The bytes of entry `index`.
    func key(_ index: Int) -> ArraySlice<UInt8> {
        blob[Int(offsets[index]) ..< Int(offsets[index + 1])]
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    while i + 8 <= n {
        if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < n { if a[i] != b[i] { return false }; i += 1 }
    return true
}
