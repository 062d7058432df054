import StratusCore

/// An instance as the compute API records one: a key, metadata, user data and one NIC with an IPv4 and an IPv6 address.
func sampleInstance(keyName: String? = "mykey", userData: String? = "IyEvYmluL3NoCmVjaG8gaGk=") -> Instance {
    let flavor = Flavor(id: "1", name: "m1.tiny", vcpus: 1, memoryMB: 512, rootGB: 1, createdAt: Timestamp(rawValue: 0))
    var instance = Instance(
        id: "6f1f3f9a-0d2c-4b43-9a3e-2f6c6f1d2a10", name: "web 1", projectId: "p1", userId: "u1", imageId: "0a1b2c3d-0000-4000-8000-000000000000",
        flavor: InstanceFlavor(flavor), keyName: keyName, publicKey: keyName.map { _ in "ssh-ed25519 AAAAC3Nza test@host" },
        userData: userData, metadata: ["role": "web"], availabilityZone: "nova", hostname: "web-1", launchIndex: 0,
        reservationId: "r-abcdef12", createdAt: Timestamp(rawValue: 0), updatedAt: Timestamp(rawValue: 0)
    )
    instance.networkInfo = [
        InstanceVIF(
            portId: "0d6b1e52-3f3a-4c7e-8c55-1b2a3c4d5e6f", networkId: "net-1", networkName: "private", macAddress: "fa:16:3e:00:00:01",
            fixedIps: [IPAddress("10.0.0.5")!, IPAddress("fd00::5")!]
        )
    ]
    return instance
}

let sampleSubnet = Subnet(
    id: "sub-1", networkId: "net-1", projectId: "p1", name: "private-v4", cidr: IPNetwork("10.0.0.0/24")!, gatewayIp: IPAddress("10.0.0.1")!,
    allocationPools: [], dnsNameservers: [IPAddress("10.0.0.2")!], createdAt: Timestamp(rawValue: 0), updatedAt: Timestamp(rawValue: 0)
)
