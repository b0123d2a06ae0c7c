// An open-addressing hash table from byte strings to token ids over one contiguous byte blob: built in one pass
// (no per-token allocation) and looked up with a pointer + length, so encoders never build temporary strings.
// Each slot packs a 32-bit hash tag with the entry number, so a probe touches one cache line.

struct ByteSpanTable: Sendable {
    /// All keys, concatenated; entry i's key is blob[offsets[i] ..< offsets[i + 1]].
    private(set) var blob: [UInt8] = []
    private(set) var offsets: [Int32] = [0]
    /// Two words per slot: the key's first 8 bytes (zero-padded), then (tag << 48 | length << 32 | entry + 1);
    /// 0 in the second word = empty. Keys of up to 8 bytes are matched without touching the blob.
    private var slots: [UInt64]
    private var mask: Int
    /// Number of entries in `slots` (entries appended as unindexed duplicates are not counted).
    private var indexed = 0

    init(expectedCount: Int) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity <<= 1 }
        slots = [UInt64](repeating: 0, count: capacity * 2)
        mask = capacity - 1
    }

    /// Builds the table of `keys[i]` as entry i. A key equal to an earlier one still gets its entry (so entry
    /// numbers equal token ids) but lookups find the first.
    init(keys: [String]) {
        self.init(expectedCount: keys.count)
        var totalBytes = 0
        for key in keys { totalBytes += key.utf8.count }
        blob.reserveCapacity(totalBytes)
        offsets.reserveCapacity(keys.count + 1)
        for key in keys {
            var key = key
            key.withUTF8 { k in
                if !insertNew(k) { blob.append(contentsOf: k); offsets.append(Int32(blob.count)) }
            }
        }
    }

    /// Number of entries.
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

    /// The first min(n, 8) bytes as a little-endian word.
    @inline(__always)
    static func prefix(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        if n >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) }
        var w: UInt64 = 0
        for i in 0..<n { w |= UInt64(p[i]) << (8 * UInt64(i)) }
        return w
    }

    @inline(__always)
    private static func meta(_ h: UInt64, _ n: Int, _ entry: Int) -> UInt64 {
        (h >> 48) << 48 | UInt64(min(n, 0xFFFF)) << 32 | UInt64(entry + 1)
    }

    /// Adds `key` as a new entry unless present; returns its entry index (new or existing).
    @discardableResult
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let p = key.baseAddress ?? UnsafePointer(bitPattern: 1)!
        if let existing = entry(p, key.count) { return existing }
        _ = insertNew(key)
        return Int32(count - 1)
    }

    /// Appends and indexes `key` as entry `count` with one probe sequence; false (nothing changed) if present.
    private mutating func insertNew(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        if (indexed + 1) * 2 > mask + 1 { grow() }
        let p = key.baseAddress ?? UnsafePointer(bitPattern: 1)!
        let n = key.count
        let h = Self.hash(p, n)
        let want = (h >> 48) << 48 | UInt64(min(n, 0xFFFF)) << 32
        let first = Self.prefix(p, n)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let m = slots[2 * slot + 1]
            if m == 0 { break }
            if m & 0xFFFF_FFFF_0000_0000 == want && slots[2 * slot] == first {
                if n <= 8 || tailMatches(Int(m & 0xFFFF_FFFF) - 1, p, n) { return false }
            }
            slot = (slot + 1) & mask
        }
        let e = count
        blob.append(contentsOf: key)
        offsets.append(Int32(blob.count))
        slots[2 * slot] = first
        slots[2 * slot + 1] = Self.meta(h, n, e)
        indexed += 1
        return true
    }

    private mutating func place(_ e: Int, _ p: UnsafePointer<UInt8>, _ n: Int) {
        let h = Self.hash(p, n)
        var slot = Int(truncatingIfNeeded: h) & mask
        while slots[2 * slot + 1] != 0 { slot = (slot + 1) & mask }
        slots[2 * slot] = Self.prefix(p, n)
        slots[2 * slot + 1] = Self.meta(h, n, e)
        indexed += 1
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        mask = old.count - 1
        indexed = 0
        for slot in 0..<(old.count / 2) where old[2 * slot + 1] != 0 {
            let e = Int(old[2 * slot + 1] & 0xFFFF_FFFF) - 1
            let start = Int(offsets[e]), end = Int(offsets[e + 1])
            blob.withUnsafeBufferPointer { place(e, $0.baseAddress! + start, end - start) }
        }
    }

    /// The entry index of the key `p[0..<n]`, or nil.
    @inline(__always)
    func entry(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        let h = Self.hash(p, n)
        let want = (h >> 48) << 48 | UInt64(min(n, 0xFFFF)) << 32
        let first = Self.prefix(p, n)
        return slots.withUnsafeBufferPointer { slots in
            var slot = Int(truncatingIfNeeded: h) & mask
            while true {
                let m = slots[2 * slot + 1]
                if m == 0 { return nil }
                if m & 0xFFFF_FFFF_0000_0000 == want && slots[2 * slot] == first {
                    let e = Int(m & 0xFFFF_FFFF) - 1
                    if n <= 8 || tailMatches(e, p, n) { return Int32(e) }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    @inline(__always)
    private func tailMatches(_ e: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        offsets.withUnsafeBufferPointer { offsets in
            let start = Int(offsets[e]), end = Int(offsets[e + 1])
            guard end - start == n else { return false }
            return blob.withUnsafeBufferPointer { memcmpBytes($0.baseAddress! + start + 8, p + 8, n - 8) }
        }
    }

    func entry(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        entry(key.baseAddress ?? UnsafePointer(bitPattern: 1)!, key.count)
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
