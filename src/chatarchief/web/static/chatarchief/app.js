// chatarchief: small enhancements on top of pages that work without script (strict CSP: no inline
// script, so everything is wired here from data attributes; see docs/web.md).
(function () {
  "use strict";

  // Secret fields (partials/secret_field.html): a password field; the button shows or hides what is typed.
  function enhanceSecrets(root) {
    root.querySelectorAll("[data-ca-secret]").forEach(function (box) {
      var button = box.querySelector("button");
      var input = box.querySelector("input");
      if (!button || !input || button.dataset.ready) return;
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var show = input.type === "password";
        input.type = show ? "text" : "password";
        button.textContent = show ? button.dataset.hide : button.dataset.show;
      });
      if (input.form) {
        input.form.addEventListener("submit", function () {
          input.type = "password";
        });
      }
    });
  }

  // Progress (partials/progress.html) of an htmx request from a form that holds the region: the bar
  // follows every step, the live text (read out by screen readers) only every 10 percent.
  function progressOf(event) {
    var form = event.detail && event.detail.elt;
    return form && form.querySelector ? form.querySelector("[data-ca-progress]") : null;
  }

  function say(region, text) {
    var status = region.querySelector("[role=status]");
    if (status && status.textContent !== text) status.textContent = text;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = progressOf(event);
    if (!region) return;
    var bar = region.querySelector("progress");
    bar.value = 0;
    bar.hidden = false;
    region.dataset.announced = "0";
    say(region, region.dataset.working + " 0%");
    event.detail.elt.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var region = progressOf(event);
    if (!region || !event.detail.lengthComputable) return;
    var bar = region.querySelector("progress");
    var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
    if (percent >= 100) {
      bar.removeAttribute("value"); // indeterminate while the server compares with the archive
      say(region, region.dataset.busy);
      return;
    }
    bar.value = percent;
    var step = Math.floor(percent / 10) * 10;
    if (step > Number(region.dataset.announced || 0)) {
      region.dataset.announced = String(step);
      say(region, region.dataset.working + " " + step + "%");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var region = progressOf(event);
    if (!region) return;
    event.detail.elt.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
    var xhr = event.detail.xhr;
    if (!event.detail.successful || !(xhr && xhr.getResponseHeader("HX-Redirect"))) {
      region.querySelector("progress").hidden = true; // an error came back: the form stays as it was
      say(region, "");
    }
  });

  // A form that htmx swapped back with errors: put the keyboard focus on the first field in error,
  // so the error (aria-describedby) is read out and the user is where the fix is.
  document.addEventListener("htmx:afterSwap", function () {
    var invalid = document.querySelector("main [aria-invalid=true]"); // outerHTML swaps replace the target
    if (invalid) invalid.focus();
  });

  if (window.htmx) {
    window.htmx.onLoad(enhanceSecrets);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceSecrets(document);
    });
  }
})();
