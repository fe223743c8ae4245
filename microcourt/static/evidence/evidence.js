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
        var target = xhr.responseURL || location.href;
        if (target.split("#")[0] !== location.href.split("#")[0]) { location.href = target; return; }
        document.open(); document.write(xhr.responseText); document.close();
      };
      xhr.onerror = function () { if (button) button.disabled = false; if (bar) bar.hidden = true; };
      if (button) button.disabled = true;
      if (bar) { bar.hidden = false; bar.value = 0; }
      xhr.send(new FormData(form));
    });
  });
})();
