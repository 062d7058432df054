public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A 256-bit key kept as base64 in a file of its own (mode 0600), which processes sharing a directory create once and
/// then all read: of processes racing to create it, one wins and every one of them returns the winner's key (it is
/// written aside, then linked into place, which fails when the file is already there).
public enum SecretFile {
    /// The key in `path`, made first when there is none.
    public static func key(at path: String) throws -> Data {
        if !FileManager.default.fileExists(atPath: path) {
            var generator = SystemRandomNumberGenerator()
            let key = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
            let aside = path + ".new-\(UUID().uuidString)"
            guard FileManager.default.createFile(atPath: aside, contents: Data(key.base64EncodedString().utf8), attributes: [.posixPermissions: 0o600]) else {
                throw SecretFileError.cannotWrite(path)
            }
            defer { unlink(aside) }
            guard link(aside, path) == 0 || errno == EEXIST else { throw SecretFileError.cannotWrite(path) }
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw SecretFileError.corrupt(path)
        }
        return data
    }
}

public enum SecretFileError: Error, CustomStringConvertible {
    case corrupt(String)
    case cannotWrite(String)

    public var description: String {
        switch self {
        case .corrupt(let path): "\(path) is not a key of 32 bytes in base64"
        case .cannotWrite(let path): "cannot write the key \(path)"
        }
    }
}
