import Foundation

/// The guest's last NIC, for the metadata service: a user-mode network 169.254.169.0/24 on which the only address the
/// guest can reach is 169.254.169.254:80, whose every connection QEMU hands (`guestfwd`) to a command of the host:
/// `stratus metadata-relay`, which asks the metadata API as this instance. (QEMU's guestfwd only takes addresses
/// inside the slirp network, so the metadata address needs a network of its own.)
public struct QEMUMetadataNetwork: Sendable, Equatable {
    /// The relay and its arguments, run for each connection with the connection as its standard input and output.
    public var command: [String]

    public init(command: [String]) {
        self.command = command
    }

    /// `-netdev user,…,guestfwd=…-cmd:<command>` and its virtio-net-pci device. The command is split into words as a
    /// shell would (words with other characters than these are single-quoted); commas are doubled, as QEMU's option
    /// syntax needs.
    public var arguments: [String] {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._:=@%+-")
        let words = command.map { word in
            word.allSatisfy(plain.contains) ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        }
        let commandLine = words.joined(separator: " ").replacingOccurrences(of: ",", with: ",,")
        return [
            "-netdev", "user,id=meta,net=169.254.169.0/24,restrict=on,guestfwd=tcp:169.254.169.254:80-cmd:\(commandLine)",
            "-device", "virtio-net-pci,netdev=meta",
        ]
    }
}
