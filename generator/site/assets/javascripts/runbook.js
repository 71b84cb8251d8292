/* Client-side code highlighting with the vendored highlight.js (Pygments is off for
   build speed). Mermaid blocks are drawn by Material with the vendored mermaid; its
   configuration is locked down here first. And the theme's own scripts (Material's
   bundle, highlight.js) load from here, last (generator/site/html.py leaves them as
   inert `runbook/later` tags). */
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
  /* The page reads the same without the theme's scripts, and on a long runbook page they
     hold the main thread (laying the page out, mounting every code block) for as long as
     a search takes: they wait until the page has loaded and, when a search is under way
     (a reader pasted an alert name into the box), until it has answered, or 3 s. */
  var later = document.querySelectorAll('script[type="runbook/later"]');
  var root = document.documentElement;
  // search.js marks a query on the page once the commands are coloured (colouring
  // rewrites a block's markup): it waits for "ready" while this says "later".
  function ready() {
    root.setAttribute("data-runbook-theme", "ready");
    document.dispatchEvent(new Event("runbook:theme-ready"));
  }
  function searching() {
    var input = document.querySelector(".runbook-search input");
    if (!input || !input.value) return false;
    var results = document.querySelector(".runbook-search .pagefind-ui__results");
    var shown = document.querySelector(".runbook-search .pagefind-ui__result-link");
    return !shown && !(results && !results.children.length);
  }
  function whenAnswered(then) {
    if (!searching()) return then();
    var watch = new MutationObserver(function () { if (!searching()) go(); });
    var timer = setTimeout(go, 3000);
    function go() {
      watch.disconnect();
      clearTimeout(timer);
      then();
    }
    watch.observe(document.body, { childList: true, subtree: true });
  }
  function loadTheme() {
    var left = later.length;
    function loaded() {
      if (--left > 0) return;
      if (typeof document$ !== "undefined") {
        document$.next(document);                       // Material's page-load observable:
        document$.subscribe(highlight);                 // it missed DOMContentLoaded
      } else {
        highlight();
      }
      ready();
    }
    Array.prototype.forEach.call(later, function (tag) {
      var script = document.createElement("script");
      script.src = tag.getAttribute("data-src");
      script.async = false;                             // in page order
      script.onload = script.onerror = loaded;
      tag.parentNode.replaceChild(script, tag);
    });
  }
  if (!later.length) {
    if (typeof document$ !== "undefined") document$.subscribe(highlight);
    else document.addEventListener("DOMContentLoaded", highlight);
  } else {
    root.setAttribute("data-runbook-theme", "later");
    if (document.readyState === "complete") whenAnswered(loadTheme);
    else window.addEventListener("load", function () { whenAnswered(loadTheme); });
  }
})();
