import Foundation
import HTTPTypes
import HTTPSupport
import Hummingbird
import ServiceClients

/// A Neutron list request's parameters: any attribute as a filter (repeated values are alternatives),
/// `fields`, `sort_key`/`sort_dir`, and `limit`/`marker`/`page_reverse` pagination with `<collection>_links`.
struct ListQuery {
    var filters: [String: [String]] = [:]
    var fields: [String] = []
    var sort: [(key: String, ascending: Bool)] = []
    var limit: Int?
    var marker: String?
    var pageReverse = false
    /// The parameters as sent, for building the `next`/`previous` links.
    private var parameters: [(String, String)] = []

    static let maxLimit = 1000

    init(_ query: Parameters, attributes: Set<String>) throws {
        var sortKeys: [String] = []
        var sortDirections: [String] = []
        for (rawKey, rawValue) in query {
            let key = String(rawKey)
            let value = String(rawValue)
            parameters.append((key, value))
            switch key {
            case "fields":
                fields += value.split(separator: ",").map(String.init)
            case "sort_key":
                guard attributes.contains(value) else {
                    throw NeutronError.make(.badRequest, "HTTPBadRequest", "\(value.prefix(64)) is an invalid attribute for sort_key")
                }
                sortKeys.append(value)
            case "sort_dir":
                guard value == "asc" || value == "desc" else {
                    throw NeutronError.make(.badRequest, "HTTPBadRequest", "\(value.prefix(64)) is an invalid value for sort_dir, valid values are 'asc' and 'desc'")
                }
                sortDirections.append(value)
            case "limit":
                guard let number = Int(value), number >= 0 else {
                    throw NeutronError.make(.badRequest, "HTTPBadRequest", "Limit must be an integer 0 or greater and not '\(value.prefix(32))'")
                }
                limit = number == 0 ? nil : min(number, Self.maxLimit)
            case "marker":
                marker = value
            case "page_reverse":
                pageReverse = ["true", "1"].contains(value.lowercased())
            default:
                guard attributes.contains(key) || key == "tenant_id" || key == "project_id" else {
                    throw NeutronError.make(.badRequest, "HTTPBadRequest", "[\(key.prefix(64))] is invalid attribute for filtering")
                }
                filters[key, default: []].append(value)
            }
        }
        guard sortDirections.isEmpty || sortDirections.count == sortKeys.count else {
            throw NeutronError.make(.badRequest, "HTTPBadRequest", "The number of sort_keys and sort_dirs must be same")
        }
        sort = sortKeys.enumerated().map { ($1, sortDirections.isEmpty || sortDirections[$0] == "asc") }
    }

    /// Whether an object (its rendered attributes) passes every filter.
    func matches(_ object: [String: JSONValue]) -> Bool {
        filters.allSatisfy { key, wanted in
            if key == "fixed_ips" { return Self.fixedIPsMatch(object[key], wanted) }
            guard let value = object[key] else { return false }
            return wanted.contains { Self.matches(value, $0) }
        }
    }

    private static func matches(_ value: JSONValue, _ wanted: String) -> Bool {
        switch value {
        case .string(let text): text == wanted
        case .bool(let flag): ["true", "1"].contains(wanted.lowercased()) ? flag : (["false", "0"].contains(wanted.lowercased()) && !flag)
        case .number(let number): Double(wanted) == number
        case .null: wanted.isEmpty || wanted == "None"
        // A list attribute (a port's `security_groups`) matches when any element does.
        case .array(let items): items.contains { matches($0, wanted) }
        case .object: false
        }
    }

    /// `fixed_ips=ip_address=10.0.0.5&fixed_ips=subnet_id=X`: some fixed IP has every named key among its values.
    private static func fixedIPsMatch(_ value: JSONValue?, _ wanted: [String]) -> Bool {
        guard case .array(let addresses)? = value else { return false }
        var conditions: [String: Set<String>] = [:]
        for item in wanted {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            conditions[parts[0], default: []].insert(parts.count == 2 ? parts[1] : "")
        }
        return addresses.contains { address in
            guard case .object(let fields) = address else { return false }
            return conditions.allSatisfy { key, values in
                if case .string(let text)? = fields[key] { return values.contains(text) }
                return false
            }
        }
    }

    /// The filtered, sorted page of `objects` as the list body `{collection: [...], collection_links: [...]}`.
    /// `baseURL` is the collection's URL (`http://HOST/networking/v2.0/networks`); an unknown marker is `notFound`.
    func page(
        _ objects: [[String: JSONValue]], collection: String, baseURL: String, notFound: (String) -> OpenStackFault
    ) throws -> [String: JSONValue] {
        var items = objects.filter(matches).sorted(by: ordered)
        if pageReverse { items.reverse() }
        var start = 0
        if let marker {
            guard let index = items.firstIndex(where: { $0["id"] == .string(marker) }) else { throw notFound(marker) }
            start = index + 1
        }
        var page = Array(items[start...].prefix(limit ?? items.count))
        let more = start + page.count < items.count
        var links: [JSONValue] = []
        if let limit {
            var next: JSONValue? = nil
            if more, let last = page.last?["id"], case .string(let id) = last {
                next = link(baseURL, limit: limit, marker: id, reverse: pageReverse, rel: pageReverse ? "previous" : "next")
            }
            var previous: JSONValue? = nil
            if marker != nil, let first = page.first?["id"], case .string(let id) = first {
                previous = link(baseURL, limit: limit, marker: id, reverse: !pageReverse, rel: pageReverse ? "next" : "previous")
            }
            links = [next, previous].compactMap { $0 }
        }
        if pageReverse { page.reverse() }
        var body: [String: JSONValue] = [collection: .array(page.map { .object(project($0)) })]
        if !links.isEmpty { body[collection + "_links"] = .array(links) }
        return body
    }

    /// Only the requested `fields`, or every attribute when none is named.
    func project(_ object: [String: JSONValue]) -> [String: JSONValue] {
        guard !fields.isEmpty else { return object }
        return object.filter { fields.contains($0.key) }
    }

    /// By the sort keys, then by id so pages are stable.
    private func ordered(_ lhs: [String: JSONValue], _ rhs: [String: JSONValue]) -> Bool {
        for (key, ascending) in sort {
            let order = Self.compare(lhs[key], rhs[key])
            if order != .orderedSame { return ascending ? order == .orderedAscending : order == .orderedDescending }
        }
        return Self.compare(lhs["id"], rhs["id"]) == .orderedAscending
    }

    private static func compare(_ lhs: JSONValue?, _ rhs: JSONValue?) -> ComparisonResult {
        func order<T: Comparable>(_ a: T, _ b: T) -> ComparisonResult { a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame) }
        switch (lhs, rhs) {
        case (.string(let a)?, .string(let b)?): return order(a, b)
        case (.number(let a)?, .number(let b)?): return order(a, b)
        case (.bool(let a)?, .bool(let b)?): return order(a ? 1 : 0, b ? 1 : 0)
        case (nil, nil), (.null?, .null?): return .orderedSame
        case (nil, _), (.null?, _): return .orderedAscending
        default: return .orderedDescending
        }
    }

    private func link(_ baseURL: String, limit: Int, marker: String, reverse: Bool, rel: String) -> JSONValue {
        var items = parameters.filter { !["limit", "marker", "page_reverse"].contains($0.0) }
        items.append(("limit", String(limit)))
        items.append(("marker", marker))
        if reverse { items.append(("page_reverse", "True")) }
        let query = items.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        return .object(["href": .string(baseURL + "?" + query), "rel": .string(rel)])
    }

    private static func escape(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
