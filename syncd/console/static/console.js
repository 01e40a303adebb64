// syncd console: keyboard shortcuts and "tick all". No framework; works with htmx's boosted pages, since the
// listeners sit on the document and find their targets when a key is pressed.
(function () {
  "use strict";
  function typing(target) {
    var tag = (target && target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key === "Enter" ? "j" : event.key;
    var focus = document.querySelector('[data-key-focus="' + key + '"]');
    if (key === "/") {
      event.preventDefault();
      if (focus) { focus.focus(); } else { window.location.href = document.querySelector("nav a[href$='/people']").href; }
      return;
    }
    var target = document.querySelector('[data-key="' + key + '"]');
    if (target && !target.disabled) {
      event.preventDefault();
      target.click();
    }
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || !box.dataset || !box.dataset.checkAll) { return; }
    var form = box.form || document;
    form.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]').forEach(function (item) {
      item.checked = box.checked;
    });
  });
}());
