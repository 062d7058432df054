@testable import ConsoleProxy
import HTTPTypes
import HummingbirdCore
import StratusCore
import Testing

@Suite("Console proxy admission and URLs")
struct ConsoleAdmissionTests {
    @Test func hostNamesComeOutOfOriginsAndAuthorities() {
        #expect(ConsoleAdmission.hostName(ofURL: "http://Example.org:6080") == "example.org")
        #expect(ConsoleAdmission.hostName(ofURL: "https://[::1]:8780/x") == "::1")
        #expect(ConsoleAdmission.hostName(ofURL: "null") == nil)
        #expect(ConsoleAdmission.hostName(ofAuthority: "127.0.0.1:8780") == "127.0.0.1")
    }

    @Test func consoleURLsCarryTheTokenWhereNoVNCAndSerialClientsLookForIt() {
        let settings = ConsoleSettings()
        #expect(
            settings.url(for: .novnc, token: "abc-1", publicURL: "http://127.0.0.1:8780")
                == "http://127.0.0.1:8780/vnc/vnc_lite.html?path=vnc%3Ftoken%3Dabc-1"
        )
        #expect(settings.url(for: .serial, token: "abc", publicURL: "http://127.0.0.1:8780") == "ws://127.0.0.1:8780/serial?token=abc")
        let elsewhere = ConsoleSettings(novncBaseURL: "http://proxy:6080/vnc/vnc.html")
        #expect(elsewhere.url(for: .novnc, token: "t", publicURL: "http://x") == "http://proxy:6080/vnc/vnc.html?path=vnc%3Ftoken%3Dt")
    }

    @Test func pagesAreOnlyPlainFilesOfTheNoVNCDirectory() throws {
        let pages = NoVNCPages(directory: "/usr/share/novnc")
        try #require(pages.file(["vnc_lite.html"]).status != .serviceUnavailable, "Debian's novnc package is not installed")
        #expect(pages.file(["vnc_lite.html"]).status == .ok)
        #expect(pages.file(["vnc_lite.html"]).headers[.contentType] == "text/html; charset=utf-8")
        #expect(pages.file(["core", "rfb.js"]).headers[.contentType] == "text/javascript; charset=utf-8")
        for escape in [["..", "..", "etc", "passwd"], [".hidden"], ["core"], ["core", ""], ["nothing.js"]] {
            #expect(pages.file(escape.map { $0[...] }).status == .notFound, "\(escape)")
        }
        #expect(NoVNCPages(directory: "/nonexistent").file(["vnc_lite.html"]).status == .serviceUnavailable)
    }
}
