// The key/value cache: per layer, one fp16 row of keys and one of values per position (as llama.cpp's
// default F16 cache), sized once for the context length. Positions 0..<count hold valid entries.

public final class KVCache: @unchecked Sendable {  // owned and used by one generation at a time
    public let layerCount: Int
    public let capacity: Int
    public let keyLength: Int
    public let valueLength: Int
    /// Number of positions that hold valid keys and values.
    public internal(set) var count = 0
    private let keys: UnsafeMutablePointer<UInt16>
    private let values: UnsafeMutablePointer<UInt16>

    public init(config: ModelConfig, capacity: Int) {
        layerCount = config.layerCount
        self.capacity = capacity
        keyLength = config.kvLength
        valueLength = config.kvHeadCount * config.valueHeadDim
        keys = .allocate(capacity: layerCount * capacity * keyLength)
        values = .allocate(capacity: layerCount * capacity * valueLength)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Bytes used by the cache's storage.
    public var byteCount: Int { layerCount * capacity * (keyLength + valueLength) * 2 }

    @inline(__always) func keyRow(layer: Int, position: Int) -> UnsafeMutablePointer<UInt16> {
        keys + (layer * capacity + position) * keyLength
    }

    @inline(__always) func valueRow(layer: Int, position: Int) -> UnsafeMutablePointer<UInt16> {
        values + (layer * capacity + position) * valueLength
    }

    /// Forgets every position from `position` on (the prefix before it stays valid).
    public func truncate(to position: Int) { count = min(count, max(0, position)) }
}
