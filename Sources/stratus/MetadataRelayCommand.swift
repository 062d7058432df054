import ArgumentParser
import Foundation
import GuestMetadata
import MetadataAPI
import StratusCore

/// `stratus metadata-relay`: one guest connection to the metadata service, on standard input and output (QEMU's
/// `guestfwd` runs it for each connection the guest opens to 169.254.169.254:80). See `MetadataRelay`.
struct MetadataRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata-relay",
        abstract: "Relay one guest's metadata request on stdin/stdout to the metadata API, signed for the guest (run by QEMU)."
    )

    @Option(help: "The guest's instance id.") var instance: String
    @Option(help: "The metadata API, e.g. http://127.0.0.1:8780/metadata.") var endpoint: String
    @Option(help: "The metadata proxy secret (the cloud's <data-dir>/metadata-proxy-secret).") var secretFile: String

    func run() async throws {
        // Loading a missing secret would make a new one, which the metadata API would not know.
        guard FileManager.default.fileExists(atPath: secretFile) else { throw ValidationError("--secret-file \(secretFile) does not exist") }
        let relay = MetadataRelay(instance: InstanceID(instance), endpoint: endpoint, signer: try MetadataSigner.load(file: secretFile))
        var head: [UInt8] = []
        while head.count < MetadataRelay.maximumHead, !MetadataRelay.isComplete(head) {
            let chunk = FileHandle.standardInput.availableData
            if chunk.isEmpty { break }
            head += chunk
        }
        FileHandle.standardOutput.write(Data(await relay.respond(toHead: head)))
    }
}
