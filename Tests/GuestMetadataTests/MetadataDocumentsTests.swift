import Foundation
import GuestMetadata
import StratusCore
import Testing

@Suite struct MetadataDocumentsTests {
    func json(_ bytes: [UInt8]?) throws -> [String: Any] {
        let bytes = try #require(bytes)
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    func text(_ item: MetadataItem?) -> String? { item.map { String(decoding: $0.body, as: UTF8.self) } }

    @Test func metaDataJSONHasNovasKeys() throws {
        let documents = try MetadataDocuments(for: sampleInstance())
        let meta = try json(documents.files["openstack/latest/meta_data.json"])
        #expect(meta["uuid"] as? String == "6f1f3f9a-0d2c-4b43-9a3e-2f6c6f1d2a10")
        #expect(meta["name"] as? String == "web 1")
        #expect(meta["hostname"] as? String == "web-1")
        #expect(meta["availability_zone"] as? String == "nova")
        #expect(meta["project_id"] as? String == "p1")
        #expect(meta["launch_index"] as? Int == 0)
        #expect(meta["meta"] as? [String: String] == ["role": "web"])
        #expect(meta["public_keys"] as? [String: String] == ["mykey": "ssh-ed25519 AAAAC3Nza test@host"])
        #expect(meta["keys"] as? [[String: String]] == [["name": "mykey", "type": "ssh", "data": "ssh-ed25519 AAAAC3Nza test@host"]])
        #expect((meta["devices"] as? [Any])?.isEmpty == true)
        #expect(documents.files["openstack/2012-08-10/meta_data.json"] == documents.files["openstack/latest/meta_data.json"])
        #expect(documents.files["openstack/latest/vendor_data.json"] == Array("{}".utf8))
        #expect(documents.files["openstack/latest/vendor_data2.json"] == Array("{}".utf8))
    }

    @Test func withoutKeyOrUserDataThoseAreAbsent() throws {
        let documents = try MetadataDocuments(for: sampleInstance(keyName: nil, userData: nil))
        let meta = try json(documents.files["openstack/latest/meta_data.json"])
        #expect(meta["public_keys"] == nil && meta["keys"] == nil)
        #expect(documents.files["openstack/latest/user_data"] == nil)
        #expect(documents.lookup("latest/user-data") == nil)
        #expect(documents.lookup("latest/meta-data/public-keys/") == nil)
        #expect(text(documents.lookup("openstack/latest"))?.contains("user_data") == false)
    }

    @Test func userDataIsDecoded() throws {
        let documents = try MetadataDocuments(for: sampleInstance())
        #expect(documents.files["openstack/latest/user_data"] == Array("#!/bin/sh\necho hi".utf8))
        #expect(text(documents.lookup("/latest/user-data")) == "#!/bin/sh\necho hi")
    }

    @Test func networkDataUsesTheSubnetWhenKnown() throws {
        let details: [NetworkID: NetworkDetails] = ["net-1": NetworkDetails(mtu: 1450, subnets: [sampleSubnet])]
        let data = try json(try MetadataDocuments(for: sampleInstance(), networks: details).files["openstack/latest/network_data.json"])
        let links = try #require(data["links"] as? [[String: Any]])
        #expect(links.count == 1)
        #expect(links.first?["id"] as? String == "tap0d6b1e52-3f")
        #expect(links.first?["ethernet_mac_address"] as? String == "fa:16:3e:00:00:01")
        #expect(links.first?["mtu"] as? Int == 1450)
        let networks = try #require(data["networks"] as? [[String: Any]])
        #expect(networks.map { $0["ip_address"] as? String } == ["10.0.0.5", "fd00::5"])
        #expect(networks.map { $0["type"] as? String } == ["ipv4", "ipv6"])
        #expect(networks.allSatisfy { $0["link"] as? String == "tap0d6b1e52-3f" && $0["network_id"] as? String == "net-1" })
        #expect(networks[0]["netmask"] as? String == "255.255.255.0")
        #expect(networks[0]["routes"] as? [[String: String]] == [["network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "10.0.0.1"]])
        // No subnet known for the IPv6 address: no netmask.
        #expect(networks[1]["netmask"] == nil)
        #expect(data["services"] as? [[String: String]] == [["type": "dns", "address": "10.0.0.2"]])
    }

    @Test func networkDataWithoutDetailsHasNullMTUAndNoNetmask() throws {
        let data = try json(try MetadataDocuments(for: sampleInstance()).files["openstack/latest/network_data.json"])
        let links = try #require(data["links"] as? [[String: Any]])
        #expect(links.first?["mtu"] is NSNull)
        #expect((data["networks"] as? [[String: Any]])?.allSatisfy { $0["netmask"] == nil } == true)
    }

    @Test func ec2TreeAnswersFilesAndListings() throws {
        let documents = try MetadataDocuments(for: sampleInstance())
        #expect(text(documents.lookup("latest/meta-data/instance-id")) == "i-6f1f3f9a")
        #expect(text(documents.lookup("latest/meta-data/hostname")) == "web-1")
        #expect(text(documents.lookup("latest/meta-data/local-hostname")) == "web-1")
        #expect(text(documents.lookup("latest/meta-data/local-ipv4")) == "10.0.0.5")
        #expect(text(documents.lookup("latest/meta-data/placement/availability-zone")) == "nova")
        #expect(text(documents.lookup("latest/meta-data/reservation-id")) == "r-abcdef12")
        #expect(text(documents.lookup("latest/meta-data/ami-launch-index")) == "0")
        #expect(text(documents.lookup("2009-04-04/meta-data/public-keys/0/openssh-key")) == "ssh-ed25519 AAAAC3Nza test@host")
        #expect(text(documents.lookup("latest/meta-data/public-keys/")) == "0=mykey")
        #expect(text(documents.lookup("latest/meta-data/public-keys/0")) == "openssh-key")
        let listing = try #require(text(documents.lookup("latest/meta-data/"))).split(separator: "\n")
        #expect(listing.contains("instance-id") && listing.contains("placement/") && listing.contains("public-keys/"))
        #expect(text(documents.lookup("latest")) == "meta-data/\nuser-data")
        #expect(text(documents.lookup("/")) == "2009-04-04\nlatest")
        #expect(documents.lookup("latest/meta-data/instance-id")?.contentType == "text/plain")
        #expect(documents.lookup("latest/meta-data/nothing") == nil)
    }

    @Test func openStackListings() throws {
        let documents = try MetadataDocuments(for: sampleInstance())
        let versions = try #require(text(documents.lookup("openstack"))).split(separator: "\n").map(String.init)
        #expect(versions == MetadataDocuments.openStackVersions)
        #expect(text(documents.lookup("openstack/latest/")) == "meta_data.json\nnetwork_data.json\nuser_data\nvendor_data.json\nvendor_data2.json")
        #expect(documents.lookup("openstack/latest/meta_data.json")?.contentType == "application/json")
        #expect(documents.lookup("openstack/1999-01-01/meta_data.json") == nil)
        #expect(documents.lookup("openstack/latest/../../openstack/latest/meta_data.json") == documents.lookup("openstack/latest/meta_data.json"))
    }

    @Test func configDriveFilesFollowNovasLayout() throws {
        let files = try MetadataDocuments(for: sampleInstance()).configDriveFiles
        #expect(files["openstack/latest/meta_data.json"] != nil)
        #expect(files["openstack/latest/user_data"] == Array("#!/bin/sh\necho hi".utf8))
        #expect(files["ec2/latest/user-data"] == Array("#!/bin/sh\necho hi".utf8))
        let ec2 = try json(files["ec2/2009-04-04/meta-data.json"])
        #expect(ec2["instance-id"] as? String == "i-6f1f3f9a")
        #expect((ec2["placement"] as? [String: String])?["availability-zone"] == "nova")
        #expect(files.keys.allSatisfy { $0.hasPrefix("openstack/") || $0.hasPrefix("ec2/") })
    }
}
