import SQLKit
import Synchronization

/// Columns are the stored types' keys in snake_case (`memoryMbUsed` is `memory_mb_used`). SQLKit's own snake-case
/// strategies convert every key of every row anew, which made decoding a list of compute nodes the scheduler's
/// largest cost; these strategies work each name out once.
enum ColumnNames {
    static let decoding = SQLRowDecoder.KeyDecodingStrategy.custom { path in SomeCodingKey(stringValue: column(path.last!.stringValue)) }
    static let encoding = SQLQueryEncoder.KeyEncodingStrategy.custom { path in SomeCodingKey(stringValue: column(path.last!.stringValue)) }

    private static let known = Mutex<[String: String]>([:])

    /// The column of a coding key: words split before each capital, a run of capitals being one word
    /// (`imageURLPath` is `image_url_path`), all lowercased.
    static func column(_ key: String) -> String {
        if let name = known.withLock({ $0[key] }) { return name }
        let characters = Array(key)
        var words: [String] = []
        var start = 0
        var index = 1
        while index < characters.count {
            guard characters[index].isUppercase else {
                index += 1
                continue
            }
            words.append(String(characters[start..<index]))
            start = index
            var next = index + 1
            while next < characters.count, !characters[next].isLowercase { next += 1 }
            guard next < characters.count else { break }
            // `URLPath`: the capital before the lowercase letter begins the next word.
            if next > index + 1 {
                words.append(String(characters[start..<(next - 1)]))
                start = next - 1
            }
            index = next + 1
        }
        words.append(String(characters[start...]))
        let name = words.filter { !$0.isEmpty }.map { $0.lowercased() }.joined(separator: "_")
        known.withLock { $0[key] = name }
        return name
    }
}
