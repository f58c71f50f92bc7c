// The 双公示 entry form: validates the row on the server as the user types (debounced) and
// shows each field's errors under it. Loaded as a file (the content-security policy forbids
// inline scripts). Errors of a field appear once the user has touched it, or after a submit.
(function () {
  "use strict";

  var form = document.querySelector("form[data-entry-form]");
  if (!form || !window.fetch) {
    return;
  }
  var url = form.getAttribute("data-entry-check-url");
  var summary = form.querySelector("[data-entry-summary]");
  var touched = {};
  var showAll = form.querySelector(".is-invalid") !== null;
  var timer = null;
  var sequence = 0;

  function codeOf(element) {
    var holder = element.closest("[data-entry-field]") || element;
    return holder.getAttribute("data-entry-field") || element.name;
  }

  function controls(code) {
    return form.querySelectorAll('[name="' + code + '"]');
  }

  function show(code, messages) {
    var box = form.querySelector('[data-entry-errors="' + code + '"]');
    if (!box) {
      return;
    }
    var visible = showAll || touched[code];
    box.textContent = "";
    (visible ? messages : []).forEach(function (message) {
      var line = document.createElement("div");
      line.textContent = message;
      box.appendChild(line);
    });
    controls(code).forEach(function (control) {
      var bad = visible && messages.length > 0;
      control.classList.toggle("is-invalid", bad);
      if (bad) {
        control.setAttribute("aria-invalid", "true");
      } else {
        control.removeAttribute("aria-invalid");
      }
    });
  }

  function render(answer) {
    var boxes = form.querySelectorAll("[data-entry-errors]");
    var shown = 0;
    boxes.forEach(function (box) {
      var code = box.getAttribute("data-entry-errors");
      var messages = answer.errors[code] || [];
      show(code, messages);
      if (showAll || touched[code]) {
        shown += messages.length;
      }
    });
    if (summary) {
      var text;
      summary.classList.remove("alert-success", "alert-warning", "alert-light");
      if (answer.count === 0) {
        text = summary.getAttribute("data-ok") || "";
        summary.classList.add("alert-success");
      } else {
        text = (summary.getAttribute("data-problems") || "").replace("%s", String(answer.count));
        summary.classList.add(shown ? "alert-warning" : "alert-light");
      }
      if (answer.notices && answer.notices.length) {
        text += " " + answer.notices.join(" ");
      }
      summary.textContent = text;
    }
  }

  function check() {
    var mine = ++sequence;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && mine === sequence) {
          render(answer);
        }
      })
      .catch(function () {
        /* offline or refused: the server checks again on submit */
      });
  }

  function schedule(event) {
    var target = event.target;
    if (!(target instanceof HTMLElement) || !target.closest("[data-entry-field], [name]")) {
      return;
    }
    if (target.name && target.name !== "csrfmiddlewaretoken") {
      touched[codeOf(target)] = true;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 350);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  if (showAll) {
    check();
  }
})();
