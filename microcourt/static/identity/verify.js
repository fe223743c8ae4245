// Real-name verification page: progress bar, OCR auto-fill of name and number from the
// ID-card photo, a camera preview where the device has no capture-to-file, and a busy
// state while the server compares faces. Works without JavaScript too (plain form).
(function () {
  "use strict";
  var form = document.querySelector(".mc-verify");
  if (!form) return;
  var bar = form.querySelector(".mc-progress");
  function progress() {
    var done = 0;
    if (form.id_front.files.length) done++;
    if (form.id_back.files.length) done++;
    if (form.name.value && form.id_number.value.length === 18) done++;
    if (form.selfie.files.length) done++;
    bar.style.width = Math.max(10, done * 25) + "%";
  }
  form.addEventListener("change", progress);
  form.addEventListener("input", progress);
  var status = form.querySelector(".mc-ocr-status");
  form.id_front.addEventListener("change", function () {
    if (!form.id_front.files.length) return;
    var data = new FormData();
    data.append("image", form.id_front.files[0]);
    status.textContent = status.dataset.reading;
    fetch(form.dataset.ocrUrl, {method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRFToken": form.csrfmiddlewaretoken.value}})
      .then(function (r) { return r.json().then(function (b) { return [r.status, b]; }); })
      .then(function (res) {
        if (res[0] !== 200) { status.textContent = res[1].error ? res[1].error.message : ""; return; }
        if (res[1].name && !form.name.value) form.name.value = res[1].name;
        if (res[1].id_number && !form.id_number.value) form.id_number.value = res[1].id_number;
        status.textContent = status.dataset.filled;
        progress();
      })
      .catch(function () { status.textContent = status.dataset.failed; });
  });
  // Desktop browsers ignore capture=user: offer a live camera preview instead.
  var camera = form.querySelector(".mc-camera");
  var touch = "ontouchstart" in window;
  if (!touch && navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.DataTransfer) {
    navigator.mediaDevices.getUserMedia({video: {facingMode: "user"}}).then(function (stream) {
      var video = camera.querySelector("video");
      video.srcObject = stream; video.play(); camera.hidden = false;
      camera.querySelector(".mc-camera-shot").addEventListener("click", function () {
        var canvas = document.createElement("canvas");
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        canvas.getContext("2d").drawImage(video, 0, 0);
        canvas.toBlob(function (blob) {
          var transfer = new DataTransfer();
          transfer.items.add(new File([blob], "selfie.jpg", {type: "image/jpeg"}));
          form.selfie.files = transfer.files; progress();
        }, "image/jpeg", 0.9);
      });
    }).catch(function () { camera.hidden = true; });
  }
  form.addEventListener("submit", function () {
    form.querySelector(".mc-busy").hidden = false;
    form.querySelector(".mc-submit").disabled = true;
  });
  progress();
})();
