// Accessible names that Material leaves out (axe-core checks them in the browser tests):
// the search dialog, the numbered annotation buttons in code, and each code block's
// toolbar landmark. Material creates the annotation buttons after load, so watch for them,
// but label at most once per frame: Material changes the DOM many times while it sets a long
// page up, and a full pass per change cost a phone half a second (Lighthouse, q12).
(function () {
  var zh = document.documentElement.lang === "zh";
  var scheduled = false;

  function label() {
    scheduled = false;
    var search = document.querySelector(".md-search[role=dialog]");
    var input = document.querySelector(".md-search__input");
    if (search && input && !search.hasAttribute("aria-label")) {
      search.setAttribute("aria-label", input.getAttribute("aria-label"));
    }
    document.querySelectorAll("a.md-annotation__index:not([aria-label])").forEach(function (a) {
      var id = a.querySelector("[data-md-annotation-id]");
      var n = id ? id.getAttribute("data-md-annotation-id") : "";
      a.setAttribute("aria-label", (zh ? "注释 " : "Annotation ") + n);
    });
    document.querySelectorAll(".md-code__nav").forEach(function (nav, i) {
      if (nav.hasAttribute("aria-label")) return;
      var block = nav.closest(".highlight");
      var name = block && block.querySelector(".filename");
      var text = (zh ? "代码块 " : "Code block ") + (i + 1) + (name ? " · " + name.textContent : "");
      nav.setAttribute("aria-label", text);
    });
    // Notebook code cells scroll sideways: keyboard users must be able to focus them.
    document.querySelectorAll(".jupyter-wrapper .highlight-ipynb:not([tabindex])").forEach(function (cell) {
      cell.setAttribute("tabindex", "0");
    });
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(label);
  }

  new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", schedule);
})();
