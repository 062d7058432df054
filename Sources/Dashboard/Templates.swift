import Mustache

/// The dashboard's Mustache templates, compiled once; `{{x}}` escapes HTML, `{{{x}}}` (only for HTML the templates made)
/// does not.
enum Templates {
    static let sources: [String: String] = [
        "layout": layout, "home": home, "login": login, "error": error, "overview": overview,
        "instances": instances, "instance_rows": instanceRows, "instance": instance, "launch": launch, "resources": resources, "form": form,
    ]

    static let library: MustacheLibrary = {
        var templates: [String: MustacheTemplate] = [:]
        for (name, source) in sources {
            // The templates are part of the program: one that does not parse is a bug the tests catch.
            templates[name] = try! MustacheTemplate(string: source)
        }
        return MustacheLibrary(templates: templates)
    }()

    static func render(_ library: MustacheLibrary, _ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? ""
    }
}
