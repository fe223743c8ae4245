// Online filing: upload progress on slow uploads, and photo inputs that submit themselves.
(function () {
  "use strict";
  // A form marked data-progress uploads through XHR so the bar can show progress; the
  // server's answer (a redirect or the page with the error) then replaces this page.
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      var bar = form.querySelector(".mc-upload-progress");
      var button = form.querySelector("button[type=submit]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || location.href);
      xhr.upload.onprogress = function (e) {
        if (!bar || !e.lengthComputable) return;
        bar.hidden = false; bar.value = Math.round((e.loaded / e.total) * 100);
      };
      xhr.onload = function () {
        var target = xhr.responseURL || location.href;
        if (target.split("#")[0] !== location.href.split("#")[0]) { location.href = target; return; }
        document.open(); document.write(xhr.responseText); document.close();
      };
      xhr.onerror = function () { if (button) button.disabled = false; form.submit(); };
      if (button) button.disabled = true;
      if (bar) { bar.hidden = false; bar.value = 0; }
      xhr.send(new FormData(form));
    });
  });
  // 拍身份证/营业执照: choosing the photo sends it at once, naming which document it is.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.querySelectorAll("input[type=file][data-document]").forEach(function (input) {
      input.addEventListener("change", function () {
        if (!input.files.length) return;
        form.querySelector("input[name=document]").value = input.dataset.document;
        form.querySelectorAll("input[type=file]").forEach(function (other) {
          if (other !== input) other.disabled = true;
        });
        form.submit();
      });
    });
  });
})();
