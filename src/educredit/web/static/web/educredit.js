// EduCredit's own behaviour. Loaded as a file because the content-security policy forbids
// inline scripts; Bootstrap's data attributes (collapse, alerts) need nothing from here.
(function () {
  "use strict";

  // Forms marked data-ec-confirm="…" ask before submitting (e.g. irreversible actions).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var question = form.getAttribute("data-ec-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Controls marked data-ec-autosubmit submit their form when changed (filters, page size).
  // A check box marked data-ec-select-all="NAME" ticks or clears every check box named NAME.
  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control instanceof HTMLElement && control.hasAttribute("data-ec-autosubmit") && control.form) {
      control.form.requestSubmit();
    }
    if (control instanceof HTMLInputElement && control.hasAttribute("data-ec-select-all")) {
      var name = control.getAttribute("data-ec-select-all");
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
        box.checked = control.checked;
      });
    }
  });

  // Tables marked ec-stack turn into cards on a phone (educredit.css). Browsers drop a table's
  // semantics once its rows are no longer displayed as table rows, so screen readers would
  // lose the headers; explicit roles keep them (ADR 0035).
  function keepTableRoles(table) {
    table.setAttribute("role", "table");
    table.querySelectorAll(":scope > thead, :scope > tbody, :scope > tfoot").forEach(function (group) {
      group.setAttribute("role", "rowgroup");
    });
    table.querySelectorAll(":scope > * > tr").forEach(function (row) {
      row.setAttribute("role", "row");
      Array.prototype.forEach.call(row.children, function (cell) {
        if (cell.tagName === "TH") {
          cell.setAttribute("role", cell.parentElement.parentElement.tagName === "THEAD" ? "columnheader" : "rowheader");
        } else if (cell.tagName === "TD") {
          cell.setAttribute("role", "cell");
        }
      });
    });
  }

  function keepAllTableRoles() {
    document.querySelectorAll("table.ec-stack").forEach(keepTableRoles);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", keepAllTableRoles);
  } else {
    keepAllTableRoles();
  }
})();
