// The per-token attributes llama.cpp derives from `tokenizer.ggml.token_type` (1 normal, 2 unknown, 3 control,
// 4 user-defined, 5 unused, 6 byte; anything else undefined).

public struct TokenAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let normal = TokenAttributes(rawValue: 1)
    public static let unknown = TokenAttributes(rawValue: 2)
    public static let control = TokenAttributes(rawValue: 4)
    public static let userDefined = TokenAttributes(rawValue: 8)
    public static let unused = TokenAttributes(rawValue: 16)
    public static let byte = TokenAttributes(rawValue: 32)
    public static let undefined = TokenAttributes(rawValue: 64)

    /// Hidden unless special tokens are rendered (llama.cpp's UNKNOWN | CONTROL).
    public static let special: TokenAttributes = [.unknown, .control]

    init(tokenType: Int32) {
        switch tokenType {
        case 1: self = .normal
        case 2: self = .unknown
        case 3: self = .control
        case 4: self = .userDefined
        case 5: self = .unused
        case 6: self = .byte
        default: self = .undefined
        }
    }
}
