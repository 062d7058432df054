import Foundation
import Hummingbird
import StratusCore

/// `GET /v2/images` parameters: Glance's filters, `sort`, `limit` and `marker`.
struct ImageListQuery: Sendable {
    enum Comparison: String, Sendable { case eq, neq, gt, gte, lt, lte }

    var equal: [String: Set<String>] = [:]
    var tags: [String] = []
    var visibility: String?
    /// The membership status shared images must have to be listed (`member_status`; nil: any, for `all`).
    var memberStatus: ImageMember.Status? = .accepted
    var sizeMin: Int64?
    var sizeMax: Int64?
    var times: [(field: String, comparison: Comparison, value: Timestamp)] = []
    var osHidden = false
    var protected: Bool?
    var sort: [(key: String, ascending: Bool)] = [("created_at", false)]
    var limit = 25
    var marker: ImageID?

    static let maxLimit = 1000
    static let sortKeys: Set<String> = ["name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at",
                                        "visibility", "owner", "min_disk", "min_ram"]

    /// Parses the query; 400 naming the parameter when one is malformed.
    init(_ parameters: Parameters) throws {
        for (rawKey, rawValue) in parameters {
            let key = String(rawKey)
            let value = String(rawValue)
            switch key {
            case "name", "id", "status", "owner", "disk_format", "container_format":
                // `in:a,b` lists alternatives, as openstacksdk sends for `id`.
                let values = value.hasPrefix("in:") ? value.dropFirst(3).split(separator: ",").map(String.init) : [value]
                equal[key, default: []].formUnion(values)
            case "tag":
                tags.append(value)
            case "visibility":
                guard Image.Visibility(rawValue: value) != nil || value == "all" else {
                    throw StratusError.badRequest("Invalid visibility value: \(value.prefix(32)).")
                }
                visibility = value
            case "member_status":
                guard value == "all" || ImageMember.Status(rawValue: value) != nil else {
                    throw StratusError.badRequest("Invalid status value: \(value.prefix(32)).")
                }
                memberStatus = ImageMember.Status(rawValue: value)
            case "size_min", "size_max":
                guard let size = Int64(value), size >= 0 else { throw StratusError.badRequest("Invalid value for \(key): \(value.prefix(32)).") }
                if key == "size_min" { sizeMin = size } else { sizeMax = size }
            case "created_at", "updated_at":
                times.append(try Self.time(key, value))
            case "os_hidden", "protected":
                guard let flag = Bool(value.lowercased()) else { throw StratusError.badRequest("Invalid value for \(key): \(value.prefix(32)).") }
                if key == "os_hidden" { osHidden = flag } else { protected = flag }
            case "sort":
                sort = try value.split(separator: ",", omittingEmptySubsequences: false).map { item in
                    let parts = item.split(separator: ":", omittingEmptySubsequences: false)
                    guard let first = parts.first, parts.count <= 2, Self.sortKeys.contains(String(first)) else {
                        throw StratusError.badRequest("Invalid sort key: '\(item.prefix(32))'.")
                    }
                    let sortKey = String(first)
                    let direction = parts.count == 2 ? String(parts[1]) : "desc"
                    guard direction == "asc" || direction == "desc" else { throw StratusError.badRequest("Invalid sort direction: \(direction.prefix(32)).") }
                    return (sortKey, direction == "asc")
                }
            case "sort_key":
                guard Self.sortKeys.contains(value) else { throw StratusError.badRequest("Invalid sort key: \(value.prefix(32)).") }
                sort = [(value, sort.first?.ascending ?? false)]
            case "sort_dir":
                guard value == "asc" || value == "desc" else { throw StratusError.badRequest("Invalid sort direction: \(value.prefix(32)).") }
                sort = sort.map { ($0.key, value == "asc") }
            case "limit":
                guard let number = Int(value), number >= 0 else { throw StratusError.badRequest("limit param must be an integer") }
                limit = min(number, Self.maxLimit)
            case "marker":
                marker = ImageID(value)
            default:
                // Glance filters on custom properties too (`?os_distro=cirros`).
                equal[key, default: []].insert(value)
            }
        }
    }

    private static func time(_ key: String, _ value: String) throws -> (String, Comparison, Timestamp) {
        let parts = value.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let comparison = Comparison(rawValue: String(parts[0])), let time = Timestamp(iso8601: String(parts[1])) else {
            throw StratusError.badRequest("Invalid value for \(key): '\(value.prefix(64))'; expected OPERATOR:ISO8601 (gt, gte, lt, lte, eq, neq).")
        }
        return (key, comparison, time)
    }

    /// Whether `image` passes the filters, given the caller's membership status of it (nil: not a member).
    func matches(_ image: Image, auth: (isAdmin: Bool, project: ProjectID?), membership: ImageMember.Status?) -> Bool {
        let owned = image.owner == auth.project
        switch visibility {
        case nil:
            // Glance's default list: public, own, accepted (or `member_status`) shared; not others' community images.
            switch image.visibility {
            case .public: break
            case .private: guard owned || auth.isAdmin else { return false }
            case .community: guard owned else { return false }
            case .shared:
                guard owned || auth.isAdmin || memberStatusMatches(membership) else { return false }
            }
        case let wanted?:
            guard wanted == "all" || image.visibility.rawValue == wanted,
                ImagePolicy.visible(image, owned: owned, isAdmin: auth.isAdmin, membership: membership)
            else { return false }
            if image.visibility == .shared, !owned, !auth.isAdmin, !memberStatusMatches(membership) { return false }
        }
        // `os_hidden=true` lists only hidden images; by default they are left out.
        if image.osHidden != osHidden { return false }
        if let protected, image.protected != protected { return false }
        for (key, values) in equal {
            guard let actual = Self.field(key, of: image), values.contains(actual) else { return false }
        }
        for tag in tags where !image.tags.contains(tag) { return false }
        if let sizeMin, (image.size ?? -1) < sizeMin { return false }
        if let sizeMax, (image.size ?? Int64.max) > sizeMax { return false }
        for (field, comparison, value) in times {
            let actual = field == "created_at" ? image.createdAt : image.updatedAt
            let pass: Bool = switch comparison {
            case .eq: actual == value
            case .neq: actual != value
            case .gt: actual > value
            case .gte: actual >= value
            case .lt: actual < value
            case .lte: actual <= value
            }
            if !pass { return false }
        }
        return true
    }

    private func memberStatusMatches(_ membership: ImageMember.Status?) -> Bool {
        guard let membership else { return false }
        return memberStatus == nil || membership == memberStatus
    }

    /// Orders by the sort keys, then by id so pages are stable.
    func sorted(_ images: [Image]) -> [Image] {
        images.sorted { lhs, rhs in
            for (key, ascending) in sort {
                let order = Self.compare(key, lhs, rhs)
                if order != .orderedSame { return ascending ? order == .orderedAscending : order == .orderedDescending }
            }
            return lhs.id.rawValue < rhs.id.rawValue
        }
    }

    private static func compare(_ key: String, _ lhs: Image, _ rhs: Image) -> ComparisonResult {
        func order<T: Comparable>(_ a: T, _ b: T) -> ComparisonResult { a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame) }
        switch key {
        case "size": return order(lhs.size ?? -1, rhs.size ?? -1)
        case "min_disk": return order(lhs.minDisk, rhs.minDisk)
        case "min_ram": return order(lhs.minRam, rhs.minRam)
        case "created_at": return order(lhs.createdAt, rhs.createdAt)
        case "updated_at": return order(lhs.updatedAt, rhs.updatedAt)
        default: return order(field(key, of: lhs) ?? "", field(key, of: rhs) ?? "")
        }
    }

    /// A field's value as text, for equality filters and string sorts.
    static func field(_ key: String, of image: Image) -> String? {
        switch key {
        case "id": image.id.rawValue
        case "name": image.name
        case "status": image.status.rawValue
        case "owner": image.owner.rawValue
        case "visibility": image.visibility.rawValue
        case "disk_format": image.diskFormat
        case "container_format": image.containerFormat
        default: image.properties[key]
        }
    }
}

