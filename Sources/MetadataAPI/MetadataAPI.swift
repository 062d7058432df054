public import Database
public import GuestMetadata
public import HTTPSupport
public import Hummingbird
public import HTTPTypes
import NIOCore
public import ServiceClients
import StratusCore

/// Nova's metadata API at `/metadata`: a guest's own metadata, user data and keys, asked for through the compute
/// host's metadata proxy.
///
/// The one API without tokens: the proxy names the guest in `X-Instance-ID` and proves it with
/// `X-Instance-ID-Signature` (see `MetadataSigner`), so a guest never sees another's data and cannot forge its identity.
public struct MetadataAPI: Sendable {
    let backend: any SQLBackend
    let signer: MetadataSigner

    public init(backend: any SQLBackend, signer: MetadataSigner) {
        self.backend = backend
        self.signer = signer
    }

    public func addRoutes(to router: Router<StratusRequestContext>) {
        let root = router.group("metadata")
        root.get { request, _ in try await answer(request) }
        root.get("**") { request, _ in try await answer(request) }
    }

    /// The item at the request's path for the instance the proxy signed for.
    func answer(_ request: Request) async throws -> Response {
        let instance = try await instance(signedIn: request)
        var networks: [NetworkID: NetworkDetails] = [:]
        for networkId in Set(instance.networkInfo.map(\.networkId)) {
            let network = try await backend.networking.network(networkId)
            networks[networkId] = NetworkDetails(mtu: network?.mtu, subnets: try await backend.networking.subnets(network: networkId))
        }
        let path = request.uri.path.dropFirst("/metadata".count)
        guard let item = try MetadataDocuments(for: instance, networks: networks).lookup(String(path)) else {
            throw OpenStackFault(status: .notFound, message: "The resource could not be found.", style: .nova)
        }
        return Response(
            status: .ok, headers: [.contentType: item.contentType], body: .init(byteBuffer: ByteBuffer(bytes: item.body))
        )
    }

    /// The instance named by a correctly signed `X-Instance-ID`: 403 without a valid signature, 404 when it is gone.
    func instance(signedIn request: Request) async throws -> Instance {
        guard let id = request.headers[.instanceID].map { InstanceID($0) }, let signature = request.headers[.instanceIDSignature],
            signer.isValid(signature, for: id)
        else {
            throw OpenStackFault(status: .forbidden, message: "Invalid proxy request signature.", style: .nova)
        }
        guard let instance = try await backend.compute.instance(id), instance.vmState != .deleted, instance.deletedAt == nil else {
            throw OpenStackFault(status: .notFound, message: "Instance \(id) could not be found.", style: .nova)
        }
        return instance
    }
}

extension HTTPField.Name {
    /// The instance a metadata request is for, set by the metadata proxy.
    public static let instanceID = HTTPField.Name("X-Instance-ID")!
    /// Hex HMAC-SHA256 of `X-Instance-ID` under the metadata proxy secret.
    public static let instanceIDSignature = HTTPField.Name("X-Instance-ID-Signature")!
}
