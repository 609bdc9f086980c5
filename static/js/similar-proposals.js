/* Duplicates: while a resident types the title of a proposal, the existing proposals
   whose words match are listed under it (through the search API), to support rather than repeat. Without JavaScript the form works alike. */
(function () {
  "use strict";
  var box = document.getElementById("similar");
  var title = document.getElementById("id_title");
  if (!box || !title || !window.fetch) {
    return;
  }
  var list = box.querySelector("ul");
  var timer = null;
  var asked = "";
  function show(results) {
    list.textContent = "";
    results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = result.title;
      link.setAttribute("dir", "auto");
      item.appendChild(link);
      list.appendChild(item);
    });
    box.hidden = results.length === 0;
  }
  function ask() {
    var words = title.value.trim();
    if (words.length < 3 || words === asked) {
      return;
    }
    asked = words;
    var url = box.getAttribute("data-search") + "?kind=proposal&q=" + encodeURIComponent(words);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (words === asked) { show((data.results || []).slice(0, 5)); } })
      .catch(function () { show([]); });
  }
  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 400);
  });
})();
