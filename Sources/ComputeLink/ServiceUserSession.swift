import Foundation
public import Logging
public import ServiceClients
public import ServiceLifecycle
public import StratusCore

/// What `stratus compute-credentials create NAME` writes for a compute host: its Keystone service user, and nothing of
/// the database.
public struct ComputeCredentials: Codable, Sendable {
    public var authURL: String
    public var username: String
    public var password: String
    public var projectName: String
    public var userDomainName: String
    public var projectDomainName: String
    /// The secret the host's metadata relays sign guests' instance ids with (Nova's `metadata_proxy_shared_secret`),
    /// base64: the control plane's `DATA-DIR/metadata-proxy-secret`.
    public var metadataSecret: String?

    enum CodingKeys: String, CodingKey {
        case authURL = "auth_url"
        case username, password
        case projectName = "project_name"
        case userDomainName = "user_domain_name"
        case projectDomainName = "project_domain_name"
        case metadataSecret = "metadata_proxy_shared_secret"
    }

    public init(authURL: String, username: String, password: String, projectName: String = "service", metadataSecret: String? = nil) {
        self.authURL = authURL
        self.username = username
        self.password = password
        self.projectName = projectName
        userDomainName = "Default"
        projectDomainName = "Default"
        self.metadataSecret = metadataSecret
    }

    public static func read(file: String) throws -> ComputeCredentials {
        try JSONDecoder().decode(ComputeCredentials.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
    }

    /// Writes the file readable by its owner only.
    public func write(to file: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        FileManager.default.createFile(atPath: file, contents: try encoder.encode(self), attributes: [.posixPermissions: 0o600])
    }

    /// Puts the metadata secret where the host's relays read it (mode 0600), replacing what was there.
    public func installMetadataSecret(at file: String) throws {
        guard let metadataSecret else { return }
        guard FileManager.default.createFile(atPath: file, contents: Data(metadataSecret.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SecretFileError.cannotWrite(file)
        }
    }
}

/// A compute host's Keystone session: a project-scoped token of its service user, renewed before it expires.
public final class ServiceUserSession: Service {
    let credentials: ComputeCredentials
    let http: ServiceHTTPClient
    let logger: Logger
    /// The current token, which the host's clients read at each request.
    public let token: RenewedToken
    /// Who the token is for.
    public let auth: AuthContext

    private init(credentials: ComputeCredentials, http: ServiceHTTPClient, logger: Logger, token: String, auth: AuthContext) {
        self.credentials = credentials
        self.http = http
        self.logger = logger
        self.token = RenewedToken(token)
        self.auth = auth
    }

    /// Authenticates, trying again every second until `deadline` while the control plane cannot be reached (it may be
    /// starting); wrong credentials fail at once.
    public static func start(_ credentials: ComputeCredentials, deadline: Duration = .seconds(60), logger: Logger) async throws -> ServiceUserSession {
        let http = ServiceHTTPClient(timeout: .seconds(30))
        let end = ContinuousClock.now + deadline
        while true {
            do {
                let (token, auth) = try await authenticate(credentials, http: http)
                return ServiceUserSession(credentials: credentials, http: http, logger: logger, token: token, auth: auth)
            } catch let error as StratusError {
                throw error
            } catch {
                guard ContinuousClock.now < end else { throw error }
                logger.info("compute: identity at \(credentials.authURL) cannot be reached yet (\(error)); trying again")
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Renews the token when three quarters of its life are gone (ten seconds later again when that fails).
    public func run() async throws {
        try? await cancelWhenGracefulShutdown { [self] in
            var (issued, expires) = (auth.issuedAt, auth.expiresAt)
            while true {
                let life = max(60, expires.rawValue - issued.rawValue)
                try await Task.sleep(for: .seconds(max(1, issued.adding(seconds: life * 3 / 4).rawValue - Timestamp(Date()).rawValue)))
                do {
                    let (token, renewed) = try await Self.authenticate(credentials, http: http)
                    self.token.replace(with: token)
                    (issued, expires) = (renewed.issuedAt, renewed.expiresAt)
                } catch {
                    logger.warning("compute: renewing the service user's token failed (\(error)); trying again in 10 s")
                    issued = Timestamp(Date()).adding(seconds: 10 - life * 3 / 4)
                }
            }
        }
    }

    /// Keystone's password authentication, scoped to the service project.
    static func authenticate(_ credentials: ComputeCredentials, http: ServiceHTTPClient) async throws -> (String, AuthContext) {
        let body: [String: Any] = [
            "auth": [
                "identity": [
                    "methods": ["password"],
                    "password": ["user": ["name": credentials.username, "domain": ["name": credentials.userDomainName], "password": credentials.password]],
                ],
                "scope": ["project": ["name": credentials.projectName, "domain": ["name": credentials.projectDomainName]]],
            ],
        ]
        let response = try await http.send(
            "POST", credentials.authURL + "/auth/tokens", headers: [("Content-Type", "application/json")],
            body: Array(try JSONSerialization.data(withJSONObject: body))
        )
        guard response.status == 201, let token = response.header("X-Subject-Token"),
            let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let fields = object["token"] as? [String: Any],
            let user = fields["user"] as? [String: Any], let userId = user["id"] as? String,
            let project = fields["project"] as? [String: Any], let projectId = project["id"] as? String,
            let issued = (fields["issued_at"] as? String).flatMap(Self.date), let expires = (fields["expires_at"] as? String).flatMap(Self.date)
        else {
            throw StratusError.unauthorized("Identity refused the compute host's service user \(credentials.username) (HTTP \(response.status)).")
        }
        let roles = (fields["roles"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        let domain = (user["domain"] as? [String: Any])?["id"] as? String ?? DomainID.defaultDomain.rawValue
        let auth = AuthContext(
            userId: UserID(userId), userDomainId: DomainID(domain), projectId: ProjectID(projectId), domainId: nil, roles: roles,
            methods: ["password"], auditIds: [], issuedAt: Timestamp(issued), expiresAt: Timestamp(expires)
        )
        return (token, auth)
    }

    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
