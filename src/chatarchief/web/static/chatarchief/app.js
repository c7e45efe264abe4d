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

  // The conversation page (conversation.html): open scrolled to the message, the day or the end of the
  // page (as a chat app does) unless the address names a place; n / p go to the next / previous
  // message with a finding on the page, j / k follow the links marked data-ca-key (search hits).
  function enhanceChat() {
    var chat = document.querySelector("[data-ca-chat]");
    if (!chat) return;
    if (!window.location.hash) {
      var target = document.getElementById(chat.dataset.caChat);
      if (target) target.scrollIntoView({ block: chat.dataset.caChat === "end" ? "end" : "center" });
    }
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      // only while the list of messages has the focus (WCAG 2.1.4: a letter key does nothing elsewhere)
      if (!chat.contains(event.target)) return;
      var key = event.key;
      var link = document.querySelector('[data-ca-key="' + key + '"]');
      if (link) {
        window.location.href = link.href;
        return;
      }
      if (key !== "n" && key !== "p") return;
      var found = Array.prototype.slice.call(chat.querySelectorAll(".ca-msg--finding"));
      if (!found.length) return;
      var current = document.activeElement && document.activeElement.closest ? document.activeElement.closest(".ca-msg--finding") : null;
      var index = found.indexOf(current);
      var next = key === "n" ? found[Math.min(found.length - 1, index + 1)] : found[Math.max(0, index - 1)];
      if (!next) return;
      next.setAttribute("tabindex", "-1");
      next.focus();
      next.scrollIntoView({ block: "center" });
      event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", enhanceChat);

  if (window.htmx) {
    window.htmx.onLoad(enhanceSecrets);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceSecrets(document);
    });
  }
})();
