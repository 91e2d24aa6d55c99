// Accessible names that Material does not give, in the page's language: the search dialog, and
// the buttons of code annotations, which Material creates after the page loads (hence the
// observer). A screen reader then announces "Annotation 3" / "注释 3" instead of an unnamed link.
(function () {
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  var words = zh ? { search: "搜索", note: "注释 " } : { search: "Search", note: "Annotation " };

  function name(root) {
    root.querySelectorAll(".md-search[role=dialog]:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", words.search);
    });
    root.querySelectorAll("a.md-annotation__index:not([aria-label])").forEach(function (el) {
      var id = el.querySelector("[data-md-annotation-id]");
      var n = id ? id.getAttribute("data-md-annotation-id") : el.textContent.trim();
      el.setAttribute("aria-label", words.note + n);
    });
  }

  // Observer callbacks run at the end of the task that changed the page, which would lengthen
  // Material's own long tasks; naming is deferred to a short task of its own instead.
  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    setTimeout(function () {
      pending = false;
      name(document);
    }, 0);
  }
  name(document);
  new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
})();
