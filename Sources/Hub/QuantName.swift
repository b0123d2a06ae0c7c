// What a GGUF file name says: its quantization (Q4_K_M, Q8_0, IQ4_XS, F16, BF16, …) and whether it is one part
// of a split model (`name-00001-of-00003.gguf`). Names only: the file itself is not read.
import Foundation

public enum QuantName {
    // A quant token stands between separators (start, end, '.', '-', '_'): the K-quants with their size suffix,
    // the i-quants, the legacy Qn_m (and the ARM repacks Q4_0_4_4), ternary TQ, MXFP4 and the float types.
    private static let pattern = try! NSRegularExpression(
        pattern: "(?<![A-Za-z0-9])(IQ[1-4]_(?:XXS|XS|NL|S|M)|Q[2-8]_K(?:_(?:XXS|XS|S|M|L|XL))?|Q[4-8]_[01](?:_[48]_[48])?"
            + "|TQ[12]_0|MXFP4(?:_MOE)?|BF16|FP16|FP32|F16|F32)(?![A-Za-z0-9])",
        options: [.caseInsensitive])
    private static let splitPattern = try! NSRegularExpression(
        pattern: "-([0-9]{5})-of-([0-9]{5})\\.gguf$", options: [.caseInsensitive])

    /// The quantization named in `fileName` (its last quant token, upper-cased; FP16 → F16), or nil.
    ///
    /// ```swift
    /// QuantName.parse("Llama-3.2-1B-Instruct-Q4_K_M.gguf")      // "Q4_K_M"
    /// QuantName.parse("qwen2.5-7b-instruct-q8_0-00001-of-00003.gguf")  // "Q8_0"
    /// ```
    public static func parse(_ fileName: String) -> String? {
        let name = (fileName as NSString).lastPathComponent
        let range = NSRange(name.startIndex..., in: name)
        guard let match = pattern.matches(in: name, range: range).last,
              let token = Range(match.range(at: 1), in: name) else {
            // Split models often keep their quant as a folder name: "Q4_K_M/model-00001-of-00002.gguf".
            let folder = (fileName as NSString).deletingLastPathComponent
            return folder.isEmpty ? nil : parse((folder as NSString).lastPathComponent)
        }
        let quant = name[token].uppercased()
        switch quant {
        case "FP16": return "F16"
        case "FP32": return "F32"
        default: return quant
        }
    }

    /// (part, count) for `-00002-of-00005.gguf`, else nil.
    public static func split(_ fileName: String) -> (part: Int, count: Int)? {
        let range = NSRange(fileName.startIndex..., in: fileName)
        guard let match = splitPattern.firstMatch(in: fileName, range: range),
              let p = Range(match.range(at: 1), in: fileName), let c = Range(match.range(at: 2), in: fileName),
              let part = Int(fileName[p]), let count = Int(fileName[c]), part >= 1, count >= 1, part <= count
        else { return nil }
        return (part, count)
    }

    /// The name shared by every part of a split model ("model-00001-of-00003.gguf" → "model.gguf");
    /// the name itself for a single file.
    public static func splitBase(_ fileName: String) -> String {
        let range = NSRange(fileName.startIndex..., in: fileName)
        guard let match = splitPattern.firstMatch(in: fileName, range: range),
              let r = Range(match.range, in: fileName) else { return fileName }
        return fileName.replacingCharacters(in: r, with: ".gguf")
    }

    /// Rough bits per weight of a quantization, for ordering and for size-to-RAM talk (nil when unknown).
    public static func bitsPerWeight(_ quant: String) -> Double? {
        let table: [String: Double] = [
            "F32": 32, "F16": 16, "BF16": 16, "Q8_0": 8.5, "Q6_K": 6.56, "Q6_K_L": 6.6, "Q5_1": 6, "Q5_0": 5.5,
            "Q5_K_M": 5.69, "Q5_K_S": 5.54, "Q5_K_L": 5.8, "Q4_1": 5, "Q4_0": 4.5, "Q4_K_M": 4.85, "Q4_K_S": 4.58,
            "Q4_K_L": 5, "IQ4_NL": 4.5, "IQ4_XS": 4.25, "Q3_K_L": 4.27, "Q3_K_M": 3.91, "Q3_K_S": 3.5,
            "IQ3_M": 3.7, "IQ3_S": 3.44, "IQ3_XS": 3.3, "IQ3_XXS": 3.06, "Q2_K": 3.35, "Q2_K_S": 3.1,
            "IQ2_M": 2.7, "IQ2_S": 2.5, "IQ2_XS": 2.31, "IQ2_XXS": 2.06, "IQ1_M": 1.75, "IQ1_S": 1.56,
            "TQ1_0": 1.69, "TQ2_0": 2.06, "MXFP4": 4.25,
        ]
        return table[quant.uppercased()]
    }
}
