// Copy the article's address from its share box. Loaded as a file from our own origin (the pages'
// Content Security Policy allows no inline script); without scripts the button stays hidden.
(function () {
  "use strict";

  function copyWithSelection(text) {
    // Pages served over plain HTTP have no navigator.clipboard: copy through a selection instead.
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.appendChild(field);
    field.select();
    var copied = document.execCommand("copy");
    document.body.removeChild(field);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyWithSelection(text);
      });
    }
    return copyWithSelection(text);
  }

  document.querySelectorAll("button.copy-link[data-address]").forEach(function (button) {
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(button.dataset.address).then(function () {
        button.textContent = button.dataset.copied;
        button.classList.add("copied");
        window.setTimeout(function () {
          button.textContent = label;
          button.classList.remove("copied");
        }, 2000);
      });
    });
  });
})();
