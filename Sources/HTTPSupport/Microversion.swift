import Foundation
public import Hummingbird
public import HTTPTypes
import ServiceClients
import StratusCore

/// An API microversion, `2.96`.
public struct APIVersion: Sendable, Comparable, Hashable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `2.96`; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && !$0.hasPrefix("+") })
        else { return nil }
        self.init(major, minor)
    }

    public var description: String { "\(major).\(minor)" }

    public static func < (lhs: APIVersion, rhs: APIVersion) -> Bool { (lhs.major, lhs.minor) < (rhs.major, rhs.minor) }
}

/// Negotiates the microversion of a request, as Nova and Cinder do: `OpenStack-API-Version: compute X.Y` (or a legacy
/// header such as `X-OpenStack-Nova-API-Version: X.Y`), `latest` for the newest, the oldest when none is asked; 406
/// outside the range, 400 when malformed. The version is echoed in the header(s) with `Vary`.
public struct MicroversionMiddleware: RouterMiddleware {
    public typealias Context = StratusRequestContext
    let service: String
    let minimum: APIVersion
    let maximum: APIVersion
    let legacyHeader: HTTPField.Name?

    /// `legacyHeader`: the service's older header, if it has one (Cinder has none).
    public init(service: String, minimum: APIVersion, maximum: APIVersion, legacyHeader: String?) {
        self.service = service
        self.minimum = minimum
        self.maximum = maximum
        self.legacyHeader = legacyHeader.map { HTTPField.Name($0)! }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let version = try negotiate(request.headers)
        var context = context
        context.apiVersion = version
        var response = try await next(request, context)
        echo(version, into: &response.headers)
        return response
    }

    func echo(_ version: APIVersion, into headers: inout HTTPFields) {
        headers[.openStackAPIVersion] = "\(service) \(version)"
        if let legacyHeader {
            headers[legacyHeader] = version.description
            headers[.vary] = "\(HTTPField.Name.openStackAPIVersion), \(legacyHeader)"
        } else {
            headers[.vary] = HTTPField.Name.openStackAPIVersion.description
        }
    }

    func negotiate(_ headers: HTTPFields) throws -> APIVersion {
        var asked: String?
        for value in headers[values: .openStackAPIVersion] {
            for item in value.split(separator: ",") {
                let words = item.split(separator: " ", omittingEmptySubsequences: true)
                if words.count == 2, words[0].lowercased() == service { asked = String(words[1]) }
            }
        }
        if asked == nil, let legacyHeader { asked = headers[legacyHeader] }
        guard let asked = asked?.trimmingCharacters(in: .whitespaces) else { return minimum }
        if asked.lowercased() == "latest" { return maximum }
        guard let version = APIVersion(asked) else {
            throw StratusError.badRequest("API Version String \(asked.prefix(32)) is of invalid format. Must be of format MajorNum.MinorNum.")
        }
        guard minimum <= version, version <= maximum else {
            throw OpenStackFault(
                status: .notAcceptable, message: "Version \(version) is not supported by the API. Minimum is \(minimum) and maximum is \(maximum).",
                style: .nova
            )
        }
        return version
    }
}

extension HTTPField.Name {
    public static let openStackAPIVersion = HTTPField.Name("OpenStack-API-Version")!
}
