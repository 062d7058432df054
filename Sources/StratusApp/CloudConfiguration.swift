public import Database
public import NetworkAPI
public import ServiceClients
public import StratusCore

/// Everything `stratus all-in-one` (and the tests' cloud) is configured with.
public struct CloudConfiguration: Sendable {
    /// Where the SQLite database, token keys and credential files live.
    public var dataDirectory: String
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// nil: the SQLite file in the data directory.
    public var database: DatabaseLocation?
    /// From `STRATUS_ADMIN_PASSWORD`; generated on first start when nil.
    public var adminPassword: String?
    /// Seconds a token lives.
    public var tokenLifetime: Int64
    /// How long a message handler holds its message before the bus delivers it again (its process died).
    public var messageLease: Duration
    /// scrypt's N for new password hashes.
    public var passwordCost: Int
    /// MTU and the "get me a network" pool.
    public var network: NetworkSettings
    /// The process's compute hosts: simulated ones (`fake-0` ...) or one QEMU host.
    public var driver: ComputeDriverChoice
    /// Soft delete and the periodic tasks' intervals.
    public var compute: ComputeSettings

    public init(
        dataDirectory: String = "stratus-data", host: String = "127.0.0.1", port: Int = 8780, database: DatabaseLocation? = nil,
        adminPassword: String? = nil, tokenLifetime: Int64 = 3600, messageLease: Duration = .seconds(30), passwordCost: Int = 1 << 14, network: NetworkSettings = NetworkSettings(),
        driver: ComputeDriverChoice = .fake(hosts: 1), compute: ComputeSettings = ComputeSettings()
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.database = database
        self.adminPassword = adminPassword
        self.tokenLifetime = tokenLifetime
        self.messageLease = messageLease
        self.passwordCost = passwordCost
        self.network = network
        self.driver = driver
        self.compute = compute
    }

    public var databaseLocation: DatabaseLocation {
        database ?? .sqlite(path: dataDirectory + "/stratus.sqlite")
    }

    public var tokenKeyDirectory: String { dataDirectory + "/token-keys" }

    /// Where the file image store keeps image data.
    public var imageDirectory: String { dataDirectory + "/images" }

    /// `http://HOST:PORT`
    public func publicURL(port: Int) -> String { "http://\(host):\(port)" }
}
