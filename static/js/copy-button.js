/* Copy buttons: `<button data-copy="ID" hidden>` copies the text of the element ID.
   Without JavaScript (or without the clipboard API) the buttons stay hidden and the text stays selectable. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  var status = document.querySelector("[data-copy-status]");
  function announce(text) {
    if (!status) {
      return;
    }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () { announce(status && status.getAttribute("data-copied")); },
        function () { announce(status && status.getAttribute("data-failed")); }
      );
    });
  });
})();
