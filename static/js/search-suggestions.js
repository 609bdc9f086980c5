/* Suggestions under each search box (`<input data-suggest="URL">`): titles that start like what is being typed.
   Arrow keys move through them, Enter opens one, Escape closes the list. Without JavaScript the box is a
   plain search form. */
(function () {
  "use strict";
  var DELAY = 200;
  var MIN_LETTERS = 2;

  function setUp(input, number) {
    var list = document.createElement("ul");
    var timer = null;
    var controller = null;
    var active = -1;
    list.id = "search-suggestions-" + number;
    list.className = "search-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.parentNode.insertBefore(list, input.nextSibling);

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function show(suggestions) {
      list.textContent = "";
      active = -1;
      suggestions.forEach(function (suggestion, index) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        item.id = list.id + "-" + index;
        item.setAttribute("role", "option");
        link.href = suggestion.url;
        link.textContent = suggestion.title;  /* text, never markup */
        link.setAttribute("dir", "auto");
        link.tabIndex = -1;
        item.appendChild(link);
        list.appendChild(item);
      });
      list.hidden = suggestions.length === 0;
      input.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
    }

    function move(step) {
      var items = list.querySelectorAll("li");
      if (!items.length) {
        return;
      }
      if (active >= 0) {
        items[active].removeAttribute("aria-selected");
      }
      active = (active + step + items.length) % items.length;
      items[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[active].id);
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var words = input.value.trim();
      if (words.length < MIN_LETTERS) {
        close();
        return;
      }
      timer = window.setTimeout(function () {
        if (controller) {
          controller.abort();
        }
        controller = new AbortController();
        fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(words), {
          headers: { Accept: "application/json" },
          signal: controller.signal
        })
          .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
          .then(function (data) { show(data.suggestions || []); })
          .catch(function () { /* a slow or failed suggestion is no error for the person typing */ });
      }, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = list.querySelectorAll("a")[active].href;
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  document.querySelectorAll("input[data-suggest]").forEach(setUp);
})();
