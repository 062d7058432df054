import Foundation

/// `admin-openrc.sh` and `clouds.yaml` in the data directory, mode 0600: what the `openstack` CLI needs.
public struct AdminCredentials: Sendable {
    public let authURL: String
    public let password: String

    public init(authURL: String, password: String) {
        self.authURL = authURL
        self.password = password
    }

    static let openrcName = "admin-openrc.sh"
    static let cloudsName = "clouds.yaml"

    /// Writes both files (replacing earlier ones) with mode 0600.
    public func write(to directory: String) throws {
        try Self.writePrivate(openrc, to: directory + "/" + Self.openrcName)
        try Self.writePrivate(cloudsYAML, to: directory + "/" + Self.cloudsName)
    }

    /// The admin password recorded in an earlier `admin-openrc.sh`, if any.
    public static func recordedPassword(in directory: String) -> String? {
        guard let text = try? String(contentsOfFile: directory + "/" + openrcName, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("export OS_PASSWORD=") {
            return unquote(String(line.dropFirst("export OS_PASSWORD=".count)))
        }
        return nil
    }

    var openrc: String {
        """
        # Stratus admin credentials for the openstack CLI: source this file.
        export OS_AUTH_URL=\(Self.shellQuote(authURL))
        export OS_IDENTITY_API_VERSION=3
        export OS_USERNAME=admin
        export OS_PASSWORD=\(Self.shellQuote(password))
        export OS_PROJECT_NAME=admin
        export OS_USER_DOMAIN_NAME=Default
        export OS_PROJECT_DOMAIN_NAME=Default
        export OS_REGION_NAME=RegionOne
        export OS_INTERFACE=public

        """
    }

    var cloudsYAML: String {
        """
        clouds:
          stratus:
            auth:
              auth_url: \(Self.yamlQuote(authURL))
              username: admin
              password: \(Self.yamlQuote(password))
              project_name: admin
              user_domain_name: Default
              project_domain_name: Default
            region_name: RegionOne
            interface: public
            identity_api_version: 3

        """
    }

    static func shellQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func unquote(_ value: String) -> String {
        guard value.hasPrefix("'"), value.hasSuffix("'"), value.count >= 2 else { return value }
        return String(value.dropFirst().dropLast()).replacingOccurrences(of: "'\\''", with: "'")
    }

    static func yamlQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private static func writePrivate(_ text: String, to path: String) throws {
        let files = FileManager.default
        if files.fileExists(atPath: path) { try files.removeItem(atPath: path) }
        guard files.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
