// Upload progress: htmx reports the XHR upload progress; no inline script (strict CSP).
document.addEventListener("htmx:xhr:progress", function (event) {
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  var label = document.getElementById("upload-label");
  if (!box || !bar || !event.detail.lengthComputable) return;
  box.hidden = false;
  var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
  bar.value = percent;
  label.textContent = percent < 100 ? label.dataset.uploading + " " + percent + "%" : label.dataset.processing;
  if (percent >= 100) bar.removeAttribute("value");
});
document.addEventListener("htmx:beforeRequest", function (event) {
  var button = document.getElementById("upload-submit");
  if (button && event.detail.elt && event.detail.elt.id === "upload-form") button.disabled = true;
});
document.addEventListener("htmx:afterRequest", function () {
  var button = document.getElementById("upload-submit");
  if (button) button.disabled = false;
});
