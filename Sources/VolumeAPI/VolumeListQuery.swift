import Foundation
import HTTPSupport
import Hummingbird
import ServiceClients

/// A Cinder list request's parameters: exact-match filters on fields, `metadata` (a JSON object of pairs every item
/// has), `all_tenants` (admins), `sort` (`key:dir,...`) or `sort_key`/`sort_dir`, and `limit`/`marker`, with a `next`
/// link when a page is full.
struct VolumeListQuery {
    var filters: [String: String] = [:]
    var metadata: [String: String] = [:]
    var allProjects = false
    var sort: [(key: String, ascending: Bool)] = [("created_at", false), ("id", false)]
    var limit: Int?
    var marker: String?
    /// The parameters but the marker, for the `next` link.
    private var parameters: [(String, String)] = []

    static let maxLimit = 1000
    static let sortable: Set<String> = ["id", "name", "size", "status", "created_at", "updated_at", "bootable", "availability_zone", "volume_id"]

    /// `filterable`: the parameters this list filters on, with the field each compares; other parameters are ignored,
    /// as Cinder ignores unknown filters.
    init(_ query: Parameters, filterable: [String: String]) throws {
        var sortKeys: [String] = []
        var sortDirections: [String] = []
        for (rawKey, rawValue) in query {
            let key = String(rawKey)
            let value = String(rawValue)
            if key != "marker" { parameters.append((key, value)) }
            switch key {
            case "all_tenants":
                allProjects = ["1", "true", "yes"].contains(value.lowercased())
            case "limit":
                guard let number = Int(value), number >= 0 else { throw CinderFault.invalidInput("limit param must be an integer") }
                limit = min(number, Self.maxLimit)
            case "marker":
                marker = value
            case "sort":
                for item in value.split(separator: ",") {
                    let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    sortKeys.append(parts[0])
                    sortDirections.append(parts.count > 1 ? parts[1] : "desc")
                }
            case "sort_key":
                sortKeys.append(value)
            case "sort_dir":
                sortDirections.append(value)
            case "metadata":
                let json = value.replacingOccurrences(of: "'", with: "\"")
                guard let pairs = try? JSONDecoder().decode([String: String].self, from: Data(json.utf8)) else {
                    throw CinderFault.invalidInput("metadata filter must be a JSON object of strings, not \(value.prefix(64))")
                }
                metadata = pairs
            default:
                if let field = filterable[key] { filters[field] = value }
            }
        }
        guard !sortKeys.isEmpty else { return }
        for key in sortKeys where !Self.sortable.contains(key) { throw CinderFault.invalidInput("Invalid sort key \(key.prefix(64))") }
        for direction in sortDirections where direction != "asc" && direction != "desc" {
            throw CinderFault.invalidInput("Unknown sort direction, must be 'desc' or 'asc'")
        }
        sort = sortKeys.enumerated().map { index, key in
            (key: key, ascending: (index < sortDirections.count ? sortDirections[index] : sortDirections.last ?? "desc") == "asc")
        }
        if !sortKeys.contains("id") { sort.append(("id", sort.last?.ascending ?? false)) }
    }

    /// The views that pass the filters, sorted, after the marker, at most `limit`; and the `next` link's URL when the
    /// page is full. `collectionURL` is the list's URL without query.
    func page(_ views: [[String: JSONValue]], collectionURL: String, notFound: (String) -> any Error) throws -> (items: [[String: JSONValue]], next: String?) {
        var items = views.filter { view in
            filters.allSatisfy { key, value in Self.text(view[key]) == value }
                && metadata.allSatisfy { key, value in
                    guard case .object(let pairs)? = view["metadata"], case .string(let found)? = pairs[key] else { return false }
                    return found == value
                }
        }
        items.sort { left, right in
            for (key, ascending) in sort {
                let order = Self.compare(left[key], right[key])
                if order != 0 { return ascending ? order < 0 : order > 0 }
            }
            return false
        }
        if let marker {
            guard let index = items.firstIndex(where: { Self.text($0["id"]) == marker }) else { throw notFound(marker) }
            items.removeFirst(index + 1)
        }
        let pageSize = limit ?? Self.maxLimit
        guard items.count > pageSize || (limit != nil && items.count == pageSize && pageSize > 0) else { return (items, nil) }
        items = Array(items.prefix(pageSize))
        guard let last = items.last.flatMap({ Self.text($0["id"]) }) else { return (items, nil) }
        var components = URLComponents()
        components.queryItems = (parameters + [("marker", last)]).map { URLQueryItem(name: $0.0, value: $0.1) }
        return (items, collectionURL + "?" + (components.percentEncodedQuery ?? ""))
    }

    /// A field's value as a filter compares it: strings as they are, numbers as integers, booleans as `true`/`false`.
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text): text
        case .number(let number): String(Int(number))
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    /// -1, 0 or 1; null first, numbers by value, anything else by its text.
    static func compare(_ left: JSONValue?, _ right: JSONValue?) -> Int {
        switch (left, right) {
        case (.number(let a)?, .number(let b)?): return a < b ? -1 : (a > b ? 1 : 0)
        default:
            let a = text(left)
            let b = text(right)
            if a == b { return 0 }
            guard let a else { return -1 }
            guard let b else { return 1 }
            return a < b ? -1 : 1
        }
    }
}
