// A flat open-addressing map from UInt64 keys to UInt64 values (BPE merge ranks keyed by a pair of symbol ids,
// special-token trie edges keyed by node and byte): no per-entry allocation, one probe in the common case.

struct IntHashMap: Sendable {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var values: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(expectedCount: Int) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: capacity)
        values = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 31
        return Int(truncatingIfNeeded: h) & mask
    }

    @inline(__always)
    func get(_ key: UInt64) -> UInt64? {
        keys.withUnsafeBufferPointer { keys in
            var slot = Self.slot(key, mask)
            while true {
                let k = keys[slot]
                if k == key { return values.withUnsafeBufferPointer { $0[slot] } }
                if k == Self.empty { return nil }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Inserts unless the key exists (first insertion wins, like std::unordered_map::emplace).
    mutating func insertIfAbsent(_ key: UInt64, _ value: UInt64) {
        precondition(key != Self.empty)
        if (count + 1) * 2 > keys.count { grow() }
        var slot = Self.slot(key, mask)
        while keys[slot] != Self.empty {
            if keys[slot] == key { return }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = value
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: Self.empty, count: oldKeys.count * 2)
        values = [UInt64](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for i in 0..<oldKeys.count where oldKeys[i] != Self.empty { insertIfAbsent(oldKeys[i], oldValues[i]) }
    }
}
