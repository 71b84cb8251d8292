/* Client-side code highlighting with the vendored highlight.js (Pygments is off for
   build speed). Mermaid blocks are left to Material, which uses the vendored mermaid. */
(function () {
  "use strict";
  function highlight() {
    if (typeof hljs === "undefined") return;
    hljs.configure({ ignoreUnescapedHTML: true });
    document.querySelectorAll("pre.highlight > code[class*='language-']").forEach(function (el) {
      if (el.dataset.highlighted) return;
      var lang = (el.className.match(/language-([\w-]+)/) || [])[1];
      if (!lang || !hljs.getLanguage(lang)) return;   // text, slack ...: shown as written
      hljs.highlightElement(el);
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(highlight);                   // Material's page-load observable
  } else {
    document.addEventListener("DOMContentLoaded", highlight);
  }
})();
