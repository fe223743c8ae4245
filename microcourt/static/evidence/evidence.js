// Evidence upload: an XHR upload so the bar shows progress on slow networks; the server's
// answer (the exhibit page after a redirect, or the list with the error) replaces this page.
(function () {
  "use strict";
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      var bar = form.querySelector(".ev-progress");
      var button = form.querySelector("button[type=submit]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || location.href);
      xhr.upload.onprogress = function (e) {
        if (bar && e.lengthComputable) { bar.hidden = false; bar.value = Math.round((e.loaded / e.total) * 100); }
      };
      xhr.onload = function () {
        // The server's answer is the page to show (the exhibit page after its redirect, with
        // its one-time "submitted" message, or this list with the error): show it as it came
        // rather than loading it again, which would lose that message.
        var target = xhr.responseURL || location.href;
        document.open(); document.write(xhr.responseText); document.close();
        if (target !== location.href) { history.replaceState(null, "", target); }
      };
      xhr.onerror = function () { if (button) button.disabled = false; if (bar) bar.hidden = true; };
      if (button) button.disabled = true;
      if (bar) { bar.hidden = false; bar.value = 0; }
      xhr.send(new FormData(form));
    });
  });
})();
