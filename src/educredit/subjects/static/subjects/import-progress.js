// Progress of an import run: polls the run's JSON endpoint and updates the page until the
// run has finished. Loaded as a file because the content-security policy forbids inline scripts.
(function () {
  "use strict";

  var root = document.getElementById("ec-import");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-progress-url");
  var delay = 1500;

  function field(name) {
    return root.querySelector('[data-field="' + name + '"]') || document.querySelector('[data-field="' + name + '"]');
  }

  function setText(name, value) {
    var element = field(name);
    if (element) {
      element.textContent = String(value);
    }
  }

  function render(data) {
    setText("status_label", data.status_label);
    setText("total", data.total);
    setText("processed", data.processed);
    setText("ok", data.ok);
    setText("failed", data.failed);
    setText("existing", data.existing);
    var resumed = field("resumed");
    if (resumed) {
      resumed.textContent = data.resumed || "";
      resumed.classList.toggle("d-none", !data.resumed);
    }
    var bar = field("bar");
    var fill = field("bar-fill");
    if (bar && fill) {
      bar.setAttribute("aria-valuenow", data.percent);
      fill.style.width = data.percent + "%";
      fill.textContent = data.percent + "%";
    }
    var message = field("message");
    if (message) {
      message.textContent = data.message || "";
      message.classList.toggle("d-none", !data.message);
    }
    var report = field("report");
    var link = field("report-link");
    if (report && link) {
      if (data.report_url) {
        link.setAttribute("href", data.report_url);
      }
      report.classList.toggle("d-none", !data.report_url);
    }
    var body = field("errors");
    if (body && data.errors.length) {
      body.textContent = "";
      data.errors.forEach(function (error) {
        var row = document.createElement("tr");
        [error.row, error.column, error.reason].forEach(function (value) {
          var cell = document.createElement("td");
          cell.textContent = String(value);
          row.appendChild(cell);
        });
        body.appendChild(row);
      });
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        render(data);
        if (!data.done) {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // A network hiccup: try again, a little later.
        window.setTimeout(poll, delay * 2);
      });
  }

  if (root.getAttribute("data-done") !== "1") {
    window.setTimeout(poll, delay);
  }
})();
