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
})();
