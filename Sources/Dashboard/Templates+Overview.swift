extension Templates {
    static let overview = """
        <h1>Overview</h1>
        <section>
          <h2>Limit Summary</h2>
          <div class="quotas">
          {{#bars}}
            <div class="quota {{#full}}full{{/full}}">
              <h3>{{label}}</h3>
              <progress max="100" value="{{percent}}">{{percent}}%</progress>
              <p>Used <strong>{{used}}</strong> of {{limit}}</p>
            </div>
          {{/bars}}
          </div>
        </section>
        <section>
          <h2>Usage Summary</h2>
          <form method="get" action="/dashboard/project/overview" class="resource-form period">
            <label>From <input type="date" name="start" value="{{start}}"></label>
            {{#error_start}}<span class="field-error" role="alert" data-field="start">{{error_start}}</span>{{/error_start}}
            <label>To <input type="date" name="end" value="{{end}}"></label>
            {{#error_end}}<span class="field-error" role="alert" data-field="end">{{error_end}}</span>{{/error_end}}
            <button type="submit">Show</button>
          </form>
          <dl class="overview">
            <dt>Instance hours</dt><dd>{{instanceHours}}</dd><dt>vCPU hours</dt><dd>{{vcpuHours}}</dd>
            <dt>RAM MB-hours</dt><dd>{{ramHours}}</dd><dt>Disk GB-hours</dt><dd>{{diskHours}}</dd>
          </dl>
          <table><thead><tr><th>Instance</th><th>Flavor</th><th>State</th><th>Hours</th></tr></thead>
          <tbody>{{#servers}}<tr><td>{{name}}</td><td>{{flavor}}</td><td>{{state}}</td><td>{{hours}}</td></tr>{{/servers}}</tbody></table>
        </section>
        """
}
