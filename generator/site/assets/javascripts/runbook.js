/* Client-side code highlighting with the vendored highlight.js (Pygments is off for
   build speed). Mermaid blocks are drawn by Material with the vendored mermaid; its
   configuration is locked down here first. */
(function () {
  "use strict";

  /* Diagram text comes from runbook YAML: labels are never HTML (an <img> in a label
     would load), securityLevel stays strict, and a diagram's own %%{init}%% or front
     matter cannot turn either back on (mermaid drops "secure" keys at every level). */
  var MERMAID_LOCKED = {
    securityLevel: "strict",
    htmlLabels: false,
    flowchart: { htmlLabels: false },
    secure: ["secure", "securityLevel", "startOnLoad", "maxTextSize",
             "suppressErrorRendering", "maxEdges", "htmlLabels"]
  };
  function lockMermaid() {
    if (typeof mermaid === "undefined" || !mermaid.initialize || mermaid.__runbookLocked) return;
    var initialize = mermaid.initialize.bind(mermaid);
    mermaid.initialize = function (config) {   // Material calls this before each first draw
      var merged = Object.assign({}, config || {}, MERMAID_LOCKED);
      merged.flowchart = Object.assign({}, (config || {}).flowchart, MERMAID_LOCKED.flowchart);
      return initialize(merged);
    };
    mermaid.__runbookLocked = true;
    mermaid.initialize({ startOnLoad: false });
  }
  lockMermaid();

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
