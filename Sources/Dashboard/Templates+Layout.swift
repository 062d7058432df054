extension Templates {
    static let layout = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} - Stratus</title>
        <link rel="stylesheet" href="/dashboard/static/dashboard.css">
        <script src="/dashboard/static/dashboard.js" defer></script>
        </head>
        <body>
        <header>
          <a class="brand" href="/dashboard/project/instances">Stratus</a>
          {{#session}}
          <nav>
            <a href="/dashboard/project/overview" {{#section_overview}}class="current"{{/section_overview}}>Overview</a>
            <a href="/dashboard/project/instances" {{#section_instances}}class="current"{{/section_instances}}>Instances</a>
            {{#canWrite}}<a href="/dashboard/project/launch" {{#section_launch}}class="current"{{/section_launch}}>Launch Instance</a>{{/canWrite}}
            <a href="/dashboard/project/volumes" {{#section_volumes}}class="current"{{/section_volumes}}>Volumes</a>
            <a href="/dashboard/project/images" {{#section_images}}class="current"{{/section_images}}>Images</a>
            <a href="/dashboard/project/networks" {{#section_networks}}class="current"{{/section_networks}}>Networks</a>
            <a href="/dashboard/project/security_groups" {{#section_security_groups}}class="current"{{/section_security_groups}}>Security Groups</a>
            <a href="/dashboard/project/key_pairs" {{#section_key_pairs}}class="current"{{/section_key_pairs}}>Key Pairs</a>
            {{#isAdmin}}<span class="admin-nav">Admin:
            <a href="/dashboard/admin/hypervisors" {{#section_admin_hypervisors}}class="current"{{/section_admin_hypervisors}}>Hypervisors</a>
            <a href="/dashboard/admin/services" {{#section_admin_services}}class="current"{{/section_admin_services}}>Services</a>
            <a href="/dashboard/admin/instances" {{#section_admin_instances}}class="current"{{/section_admin_instances}}>All Instances</a>
            <a href="/dashboard/admin/flavors" {{#section_admin_flavors}}class="current"{{/section_admin_flavors}}>Flavors</a>
            <a href="/dashboard/admin/aggregates" {{#section_admin_aggregates}}class="current"{{/section_admin_aggregates}}>Aggregates</a>
            <a href="/dashboard/admin/projects" {{#section_admin_projects}}class="current"{{/section_admin_projects}}>Projects</a>
            <a href="/dashboard/admin/users" {{#section_admin_users}}class="current"{{/section_admin_users}}>Users</a></span>{{/isAdmin}}
          </nav>
          <form class="switcher" method="post" action="/dashboard/auth/project">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>Project <select name="project" data-autosubmit>
              {{#projects}}<option value="{{id}}" {{#current}}selected{{/current}}>{{name}}</option>{{/projects}}
            </select></label>
            <noscript><button type="submit">Switch</button></noscript>
          </form>
          <form class="logout" method="post" action="/dashboard/auth/logout">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <span class="user">{{user}}</span> <button type="submit">Log out</button>
          </form>
          {{/session}}
        </header>
        <main>
        {{#notices}}<p class="notice {{#error}}error{{/error}}" role="status">{{text}}</p>{{/notices}}
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let home = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Stratus</title><link rel="stylesheet" href="/dashboard/static/dashboard.css"></head>
        <body><main>
        <h1>Stratus</h1>
        <p>An OpenStack-compatible compute cloud. Open the <a href="/dashboard">dashboard</a>, or point the <code>openstack</code> CLI at
        <code>/identity/v3</code>.</p>
        </main></body></html>
        """

    static let login = """
        <section class="login">
        <h1>Log in</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#error_form}}<p class="notice error" role="alert" id="login-error">{{error_form}}</p>{{/error_form}}
        <form method="post" action="/dashboard/auth/login">
          <input type="hidden" name="next" value="{{next}}">
          <label>Domain <input name="domain" value="{{domain}}" autocomplete="organization"></label>
          {{#error_domain}}<span class="field-error">{{error_domain}}</span>{{/error_domain}}
          <label>User name <input name="user" value="{{user}}" autocomplete="username" autofocus></label>
          {{#error_user}}<span class="field-error">{{error_user}}</span>{{/error_user}}
          <label>Password <input name="password" type="password" autocomplete="current-password"></label>
          {{#error_password}}<span class="field-error">{{error_password}}</span>{{/error_password}}
          <button type="submit">Log in</button>
        </form>
        </section>
        """

    static let error = """
        <section class="error-page">
        <h1>{{title}}</h1>
        <p>{{text}}</p>
        <p><a href="/dashboard/project/instances">Back to the instances</a></p>
        </section>
        """
}
