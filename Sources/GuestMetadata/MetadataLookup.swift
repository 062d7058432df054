/// What a GET of a metadata path answers: a file's bytes or a directory's listing.
public struct MetadataItem: Sendable, Equatable {
    public let body: [UInt8]
    /// Nova's: `application/json` for `.json` files, `text/plain` for everything else (listings too).
    public let contentType: String
}

extension MetadataDocuments {
    /// The file or directory at `path` (relative to the service root, slashes anywhere), as Nova's metadata API
    /// answers it; nil when there is nothing there.
    ///
    /// A directory answers the names beneath it, one a line: the root lists the EC2 versions, `openstack` the
    /// OpenStack versions; in the EC2 tree subdirectories end in `/` (public key 0 is `0=keyname`).
    public func lookup(_ path: String) -> MetadataItem? {
        var components: [Substring] = []
        for component in path.split(separator: "/") where component != "." {
            if component == ".." { _ = components.popLast() } else { components.append(component) }
        }
        let key = components.joined(separator: "/")
        if key.isEmpty { return Self.listing(Self.ec2Versions) }
        if let bytes = files[key] {
            return MetadataItem(body: bytes, contentType: key.hasSuffix(".json") ? "application/json" : "text/plain")
        }
        let prefix = key + "/"
        var children: [String: Bool] = [:]
        for file in files.keys where file.hasPrefix(prefix) {
            let rest = file.dropFirst(prefix.count)
            let name = String(rest.prefix { $0 != "/" })
            children[name] = children[name, default: false] || rest.count > name.count
        }
        guard !children.isEmpty else { return nil }
        let ec2 = components.first != "openstack"
        return Self.listing(children.keys.sorted().map { name in
            guard ec2, children[name] == true else { return name }
            return listingNames[prefix + name] ?? name + "/"
        })
    }

    static func listing(_ names: [String]) -> MetadataItem {
        MetadataItem(body: Array(names.joined(separator: "\n").utf8), contentType: "text/plain")
    }
}
