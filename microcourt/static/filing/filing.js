// Online filing: photo inputs that submit themselves (upload progress is in shell/app.js).
(function () {
  "use strict";
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
