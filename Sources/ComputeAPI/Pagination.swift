import Foundation
import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// Nova's `limit` and `marker`: a page of an ordered list of ids, and the marker for the next page when it is full.
struct Pagination {
    let range: Range<Int>
    let limit: Int?
    let nextMarker: String?

    /// Nova's `max_limit`.
    static let maxLimit = 1000

    init(query: Parameters, ids: [String]) throws {
        var start = 0
        if let marker = query["marker"].map(String.init) {
            guard let index = ids.firstIndex(of: marker) else {
                throw StratusError.badRequest("marker [\(marker.prefix(64))] not found")
            }
            start = index + 1
        }
        var limit: Int?
        if let text = query["limit"].map(String.init) {
            guard let value = Int(text), value >= 0 else {
                throw StratusError.badRequest("Invalid input for query parameters limit. Value: \(text.prefix(32)). \(text.prefix(32)) is not a valid non-negative integer")
            }
            limit = min(value, Self.maxLimit)
        }
        let end = limit.map { min(ids.count, start + $0) } ?? ids.count
        self.range = start..<max(start, end)
        self.limit = limit
        // Nova adds a next link whenever the page is full.
        self.nextMarker = limit != nil && end - start == limit && end > start ? ids[end - 1] : nil
    }

    /// Nova's `next` link: `url` with the request's query parameters and the new marker, keys sorted.
    static func nextLink(_ url: String, query: Parameters, marker: String) -> JSONValue {
        var items = query.map { (String($0.key), String($0.value)) }.filter { $0.0 != "marker" }
        items.append(("marker", marker))
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        let text = items.sorted { $0.0 < $1.0 }.map { "\(encoded($0.0))=\(encoded($0.1))" }.joined(separator: "&")
        return .array([.object(["rel": .string("next"), "href": .string(url + "?" + text)])])
    }
}
