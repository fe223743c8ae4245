/* The handwriting pad (signature_pad from npm): draws on the canvas, keeps the hidden input
   filled with a PNG data URL (empty while the pad is empty), and keeps the strokes when the
   phone turns. The server checks the PNG again (signing.forms.handwriting_png). */
(function () {
  "use strict";

  function setup(root) {
    if (root.dataset.padReady || typeof window.SignaturePad !== "function") return;
    root.dataset.padReady = "1";
    var canvas = root.querySelector("canvas");
    var input = root.querySelector("[data-pad-value]");
    var pad = new window.SignaturePad(canvas, {
      minWidth: 1.2,
      maxWidth: 3.2,
      penColor: "#111",
      backgroundColor: "rgba(0,0,0,0)",
    });

    function sync() {
      input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
    }

    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var strokes = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(strokes);
      sync();
    }

    pad.addEventListener("endStroke", sync);
    root.querySelector("[data-pad-clear]").addEventListener("click", function () {
      pad.clear();
      sync();
    });
    window.addEventListener("resize", resize);
    var form = root.closest("form");
    if (form) form.addEventListener("submit", sync);
    resize();
  }

  function init() {
    document.querySelectorAll("[data-signature-pad]").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:afterSettle", init);
})();
