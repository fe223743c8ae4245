// Too large, said before sending: a file input with data-max-bytes (and, optionally,
// data-max-bytes-by-type — JSON {"image/": bytes, …} by the start of the type the browser
// reports) is checked when a file is picked and again when its form is submitted. The
// message (data-too-large, with %(name)s, %(size)s and %(limit)s in MB) appears in the
// element named by data-size-error, and the form is not sent. The server checks again.
(function () {
  "use strict";
  if (window.mcUploadLimit) return; // loaded again by a page swapped in: listening already
  window.mcUploadLimit = true;
  var SELECTOR = "input[type=file][data-max-bytes]";

  function limitFor(input, file) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10) || Infinity;
    var byType = {};
    try { byType = JSON.parse(input.getAttribute("data-max-bytes-by-type") || "{}"); } catch (e) { byType = {}; }
    Object.keys(byType).forEach(function (start) {
      if (file.type && file.type.indexOf(start) === 0) limit = byType[start];
    });
    return limit;
  }

  function megabytes(bytes) {
    var mb = bytes / 1048576;
    return String(mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10);
  }

  function problem(input) {
    var files = input.files || [];
    for (var i = 0; i < files.length; i++) {
      var file = files[i], limit = limitFor(input, file);
      if (file.size > limit) {
        return (input.getAttribute("data-too-large") || "%(name)s > %(limit)s MB")
          .replace("%(name)s", file.name)
          .replace("%(size)s", megabytes(file.size))
          .replace("%(limit)s", megabytes(limit));
      }
    }
    return "";
  }

  function show(input, text) {
    var box = document.getElementById(input.getAttribute("data-size-error") || "");
    if (box) { box.textContent = text; box.hidden = !text; }
    if (input.setCustomValidity) input.setCustomValidity(text);
    if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches(SELECTOR)) show(input, problem(input));
  });

  // Capturing, so it runs before any other submit handler (the shell's upload progress).
  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll ? event.target.querySelectorAll(SELECTOR) : [];
    for (var i = 0; i < inputs.length; i++) {
      var text = problem(inputs[i]);
      show(inputs[i], text);
      if (text) {
        event.preventDefault();
        event.stopImmediatePropagation();
        inputs[i].focus();
        return;
      }
    }
  }, true);
})();
