extension Templates {
    static let instances = """
        <h1>Instances</h1>
        <p class="toolbar">
          {{#canWrite}}<a class="button" href="/dashboard/project/launch">Launch Instance</a>
          <button type="submit" form="batch" class="danger" data-confirm="Delete the selected instances?">Delete Instances</button>{{/canWrite}}
        </p>
        {{#canWrite}}<form id="batch" method="post" action="/dashboard/project/instances/delete"><input type="hidden" name="csrf" value="{{csrf}}"></form>{{/canWrite}}
        <table class="instances">
          <thead><tr>
            {{#canWrite}}<th></th>{{/canWrite}}<th>Name</th><th>Image</th><th>IP Address</th><th>Flavor</th><th>Key Pair</th><th>Status</th><th>Task</th>
            <th>Power State</th><th>Age</th>{{#canWrite}}<th>Actions</th>{{/canWrite}}
          </tr></thead>
          <tbody id="instance-rows" data-refresh="/dashboard/project/instances/rows">{{{rows}}}</tbody>
        </table>
        """

    static let instanceRows = """
        {{#empty}}<tr><td colspan="11" class="empty">No instances.</td></tr>{{/empty}}
        {{#rows}}
        <tr data-id="{{id}}" {{#busy}}data-busy{{/busy}}>
          {{#canWrite}}<td><input type="checkbox" name="id" value="{{id}}" form="batch" aria-label="select {{name}}"></td>{{/canWrite}}
          <td><a href="/dashboard/project/instances/{{id}}">{{name}}</a></td>
          <td>{{image}}</td><td>{{addresses}}</td><td>{{flavor}}</td><td>{{key}}</td>
          <td class="status {{statusClass}}">{{status}}</td><td>{{task}}</td><td>{{power}}</td><td>{{age}}</td>
          {{#canWrite}}<td>
            <form method="post" action="/dashboard/project/instances/{{id}}/action" class="row-actions">
              <input type="hidden" name="csrf" value="{{csrf}}">
              {{#actions}}<button type="submit" name="action" value="{{name}}" {{#danger}}class="danger" data-confirm="Delete this instance?"{{/danger}}>{{label}}</button>{{/actions}}
            </form>
          </td>{{/canWrite}}
        </tr>
        {{/rows}}
        """

    static let instance = """
        {{#server}}
        <h1>{{name}}</h1>
        <p class="toolbar"><a href="/dashboard/project/instances">All instances</a></p>
        <section>
          <h2>Overview</h2>
          <dl class="overview" id="instance-overview" data-id="{{id}}">
            <dt>ID</dt><dd>{{id}}</dd>
            <dt>Status</dt><dd class="status {{statusClass}}" id="instance-status">{{status}}</dd>
            <dt>Task</dt><dd>{{task}}</dd><dt>Power State</dt><dd>{{power}}</dd>
            <dt>Image</dt><dd>{{image}}</dd><dt>Flavor</dt><dd>{{flavor}}</dd><dt>Key Pair</dt><dd>{{key}}</dd>
            <dt>IP Addresses</dt><dd>{{addresses}}</dd><dt>Availability Zone</dt><dd>{{zone}}</dd>
            {{#host}}<dt>Host</dt><dd>{{host}}</dd>{{/host}}
            <dt>Locked</dt><dd>{{#locked}}yes{{/locked}}{{^locked}}no{{/locked}}</dd><dt>Age</dt><dd>{{age}}</dd>
            {{#fault}}<dt>Fault</dt><dd class="fault">{{fault}}</dd>{{/fault}}
          </dl>
          {{#hasActions}}
          <form method="post" action="/dashboard/project/instances/{{id}}/action" class="row-actions">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="back" value="detail">
            {{#actions}}<button type="submit" name="action" value="{{name}}" {{#danger}}class="danger" data-confirm="Delete this instance?"{{/danger}}>{{label}}</button>{{/actions}}
          </form>
          {{/hasActions}}
          {{#canChange}}
          <div class="changes">
            <form method="post" action="/dashboard/project/instances/{{id}}/action">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="back" value="detail"><input type="hidden" name="action" value="snapshot">
              <label>Snapshot name <input name="snapshot_name" required></label> <button type="submit">Create Snapshot</button>
              {{#error_snapshot_name}}<span class="field-error" role="alert" data-field="snapshot_name">{{error_snapshot_name}}</span>{{/error_snapshot_name}}
            </form>
            <form method="post" action="/dashboard/project/instances/{{id}}/action">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="back" value="detail"><input type="hidden" name="action" value="resize">
              <label>New flavor <select name="flavor">{{#flavors}}<option value="{{id}}">{{name}}</option>{{/flavors}}</select></label>
              <button type="submit">Resize</button>
              {{#error_flavor}}<span class="field-error" role="alert" data-field="flavor">{{error_flavor}}</span>{{/error_flavor}}
            </form>
            <form method="post" action="/dashboard/project/instances/{{id}}/action">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="back" value="detail"><input type="hidden" name="action" value="rebuild">
              <label>Image <select name="image">{{#images}}<option value="{{id}}">{{name}}</option>{{/images}}</select></label>
              <button type="submit" data-confirm="Rebuild this instance? Its disk is made anew.">Rebuild</button>
              {{#error_image}}<span class="field-error" role="alert" data-field="image">{{error_image}}</span>{{/error_image}}
            </form>
          </div>
          {{/canChange}}
        </section>
        {{/server}}
        <section>
          <h2>Interfaces</h2>
          <table><thead><tr><th>Port</th><th>Network</th><th>MAC</th><th>IP Addresses</th><th>State</th></tr></thead>
          <tbody>{{#interfaces}}<tr><td>{{port}}</td><td>{{network}}</td><td>{{mac}}</td><td>{{ips}}</td><td>{{state}}</td></tr>{{/interfaces}}</tbody></table>
        </section>
        <section>
          <h2>Volumes</h2>
          <table><thead><tr><th>Volume</th><th>Device</th></tr></thead>
          <tbody>{{#volumes}}<tr><td>{{volume}}</td><td>{{device}}</td></tr>{{/volumes}}</tbody></table>
        </section>
        <section>
          <h2>Log</h2>
          <p><a href="?log=1#log">Refresh</a></p>
          <pre class="console-log" id="log">{{log}}</pre>
        </section>
        <section>
          <h2>Action Log</h2>
          <table id="action-log"><thead><tr><th>Request ID</th><th>Action</th><th>Start Time</th><th>User ID</th><th>Message</th><th>Events</th></tr></thead>
          <tbody>{{#actionLog}}<tr><td>{{request}}</td><td>{{action}}</td><td>{{start}}</td><td>{{user}}</td><td>{{message}}</td>
            <td><ul class="events">{{#events}}<li>{{event}}: {{result}} <small>{{start}} – {{finish}}</small></li>{{/events}}</ul></td></tr>{{/actionLog}}</tbody></table>
        </section>
        {{#console}}
        <section>
          <h2>Console</h2>
          <p><a href="{{console}}" target="_blank" rel="noopener">Open the console in its own window</a></p>
          <iframe class="console" id="console" src="{{console}}" title="Console"></iframe>
        </section>
        {{/console}}
        """
}
