/// The dashboard's stylesheet and its one script (no build step, no library).
enum Assets {
    static let stylesheet = """
        :root { --ink: #1d2630; --muted: #5b6875; --line: #d9dee3; --accent: #0b65b5; --danger: #b3261e; --ok: #1e7b34; --bg: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
        header { display: flex; gap: 1.5em; align-items: center; padding: .6em 1.2em; background: #18222d; color: #fff; flex-wrap: wrap; }
        header a { color: #cfe3ff; text-decoration: none; }
        header .brand { font-weight: 700; color: #fff; font-size: 1.1em; }
        header nav a { margin-right: 1em; }
        header nav a.current { color: #fff; border-bottom: 2px solid #fff; }
        header form { display: inline-flex; gap: .4em; align-items: center; margin: 0; }
        header .logout { margin-left: auto; }
        main { padding: 1.2em; max-width: 1400px; }
        h1 { font-size: 1.5em; margin: .2em 0 .6em; }
        h2 { font-size: 1.15em; margin: 1.2em 0 .5em; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .4em .6em; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef1f4; font-weight: 600; }
        td.empty { color: var(--muted); text-align: center; }
        .status.active { color: var(--ok); font-weight: 600; }
        .status.error { color: var(--danger); font-weight: 600; }
        .status.build { color: var(--accent); }
        button, .button { font: inherit; padding: .3em .8em; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 3px;
          cursor: pointer; text-decoration: none; display: inline-block; }
        button.danger { background: var(--danger); border-color: var(--danger); }
        .admin-nav { color: #9fb3c8; margin-left: .5em; }
        .resource-form { display: inline-flex; flex-wrap: wrap; gap: .4em; align-items: end; margin: 0 .6em .4em 0; }
        .resource-form label { margin: 0; }
        td.row-forms { white-space: nowrap; }
        .row-actions { display: flex; flex-wrap: wrap; gap: .3em; margin: 0; }
        .row-actions button { padding: .15em .5em; font-size: .9em; }
        .toolbar { display: flex; gap: .6em; align-items: center; }
        .notice { padding: .6em .9em; background: #e7f2ea; border-left: 4px solid var(--ok); }
        .notice.error { background: #fbeaea; border-left-color: var(--danger); }
        .field-error { display: block; color: var(--danger); margin: -.3em 0 .6em; }
        form label { display: block; margin: .4em 0; }
        fieldset { border: 1px solid var(--line); background: #fff; margin: 0 0 1em; padding: .6em 1em; }
        .launch label.flavor.over { color: var(--muted); }
        .login { max-width: 24em; margin: 3em auto; background: #fff; padding: 1.5em; border: 1px solid var(--line); }
        .login input { width: 100%; }
        dl.overview { display: grid; grid-template-columns: 12em 1fr; gap: .2em 1em; background: #fff; padding: .8em; }
        dl.overview dt { color: var(--muted); }
        .fault { color: var(--danger); }
        .changes { display: flex; gap: 2em; flex-wrap: wrap; margin-top: 1em; }
        .quotas { display: flex; gap: 1.5em; flex-wrap: wrap; }
        .quota { background: #fff; padding: .8em 1em; border: 1px solid var(--line); min-width: 12em; }
        .quota h3 { margin: 0 0 .4em; font-size: 1em; }
        .quota progress { width: 100%; }
        .quota.full { border-color: var(--danger); }
        pre.console-log { background: #101820; color: #e6edf3; padding: .8em; max-height: 30em; overflow: auto; white-space: pre-wrap; }
        iframe.console { width: 100%; height: 34em; border: 1px solid var(--line); background: #000; }
        """

    /// Confirmations of dangerous buttons, the project switcher's submit on change, the instances table's rows
    /// fetched again every two seconds while any of them is busy, and the image upload with its progress.
    static let script = """
        "use strict";
        document.addEventListener("click", (event) => {
          const button = event.target.closest("[data-confirm]");
          if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
        });
        document.addEventListener("change", (event) => {
          if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
        });
        const rows = document.getElementById("instance-rows");
        if (rows) {
          setInterval(async () => {
            if (!rows.querySelector("tr[data-busy]")) return;
            const checked = new Set([...rows.querySelectorAll("input[name=id]:checked")].map((box) => box.value));
            try {
              const response = await fetch(rows.dataset.refresh, { credentials: "same-origin" });
              if (!response.ok || response.redirected) return;
              rows.innerHTML = await response.text();
              for (const box of rows.querySelectorAll("input[name=id]")) box.checked = checked.has(box.value);
            } catch (error) {
              // The next tick tries again.
            }
          }, 2000);
        }
        const upload = document.getElementById("image-upload");
        if (upload) {
          upload.addEventListener("submit", (event) => {
            event.preventDefault();
            const file = upload.elements.file.files[0];
            const progress = document.getElementById("upload-progress");
            const status = document.getElementById("upload-status");
            const query = new URLSearchParams({ name: upload.elements.name.value, disk_format: upload.elements.disk_format.value,
              csrf: upload.elements.csrf.value });
            const request = new XMLHttpRequest();
            request.open("POST", "/dashboard/project/images/upload?" + query);
            request.setRequestHeader("Content-Type", "application/octet-stream");
            request.upload.onprogress = (step) => {
              if (step.lengthComputable) progress.value = Math.round(100 * step.loaded / step.total);
            };
            request.onload = () => {
              status.textContent = request.responseText;
              if (request.status === 200) window.location = "/dashboard/project/images";
            };
            request.onerror = () => { status.textContent = "The upload failed; try again."; };
            progress.hidden = false;
            status.textContent = "Uploading…";
            request.send(file);
          });
        }
        """
}
