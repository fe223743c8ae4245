// "Choose at least one": a <fieldset data-require-one> of checkboxes is required as a group.
// HTML's own `required` on a checkbox means that very box, so it is set on every box only
// while none is ticked (the browser then refuses to send the form and says
// data-require-one-message), and taken off as soon as one is. The server checks again.
(function () {
  "use strict";
  function update(group) {
    var boxes = group.querySelectorAll("input[type=checkbox]");
    var none = !Array.prototype.some.call(boxes, function (b) { return b.checked; });
    var message = group.getAttribute("data-require-one-message") || "";
    Array.prototype.forEach.call(boxes, function (b, i) {
      b.required = none;
      if (b.setCustomValidity) b.setCustomValidity(none && i === 0 ? message : "");
    });
  }
  document.querySelectorAll("fieldset[data-require-one]").forEach(function (group) {
    update(group);
    group.addEventListener("change", function () { update(group); });
  });
})();
