/* The header search box: Pagefind's UI over the index the runbook plugin builds
 * (generator/site/search_index.py). Everything comes from the site itself: the UI and
 * the index under _pagefind/, found relative to this script. `/` focuses the box, the
 * arrow keys move through the results, Escape leaves; a result opened from here
 * highlights the query on its page. Under `runbook serve` the box says when the index is
 * still being rebuilt after an edit. */
(function () {
  "use strict";
  var script = document.currentScript;
  var header = document.querySelector(".md-header__inner");
  if (!script || !header) return;
  var root = new URL("../../", script.src);
  var bundle = new URL("_pagefind/", root).href;
  var api = new URL("assets/javascripts/pagefind/", root).href;
  var HIGHLIGHT = "highlight";

  function highlightQuery() {
    if (!new URLSearchParams(location.search).has(HIGHLIGHT)) return;
    if (document.documentElement.getAttribute("data-runbook-theme") === "later") {
      // runbook.js colours the commands first: colouring rewrites a block's markup.
      document.addEventListener("runbook:theme-ready", highlightQuery, { once: true });
      return;
    }
    var tag = document.createElement("script");
    tag.type = "module"; // it sets window.PagefindHighlight
    tag.src = bundle + "pagefind-highlight.js";
    tag.onload = function () {
      if (window.PagefindHighlight) {
        new window.PagefindHighlight({ highlightParam: HIGHLIGHT, addStyles: false });
      }
    };
    document.head.appendChild(tag);
  }
  // This script runs as soon as it arrives, maybe before the article is parsed.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", highlightQuery);
  } else {
    highlightQuery();
  }

  // Both scripts load `async` right after the header (generator/site/html.py), in
  // whichever order they arrive: start when Pagefind's UI is there.
  if (typeof window.PagefindUI === "function") {
    start();
  } else {
    var uiScript = document.querySelector('script[src$="_pagefind/pagefind-ui.js"]');
    if (uiScript) uiScript.addEventListener("load", start);
  }

  function start() {
    if (typeof window.PagefindUI !== "function") return;
    // Pagefind lists a page's matching headings in page order; the one with the
    // strongest match (an alert name, a step id: weighted highest) comes first instead.
    function score(sub) {
      return (sub.weighted_locations || []).reduce(function (sum, at) {
        return sum + (at.balanced_score || 0);
      }, 0);
    }
    function strongestFirst(result) {
      if (Array.isArray(result.sub_results)) {
        result.sub_results.sort(function (a, b) { return score(b) - score(a); });
      }
      return result;
    }
    var box = document.createElement("div");
    box.className = "runbook-search";
    box.setAttribute("role", "search");
    var title = header.querySelector(".md-header__title");
    header.insertBefore(box, title ? title.nextSibling : null);
    new window.PagefindUI({
      element: box,
      bundlePath: api, // Pagefind's own API but for when the filters load
      showSubResults: true,
      showImages: false,
      focusOnSlash: false,
      excerptLength: 24,
      // Pagefind waits this long after the last keystroke (300 ms by default); the index
      // chunks for the query are fetched meanwhile, so a short wait costs nothing extra.
      debounceTimeoutMs: 100,
      highlightParam: HIGHLIGHT,
      baseUrl: root.pathname,
      processResult: strongestFirst,
      translations: { placeholder: "Search runbooks" },
    });
    var input = box.querySelector("input");
    if (!input) return;
    input.setAttribute("aria-label", "Search runbooks");
    function typing(target) {
      return target && (target.isContentEditable ||
        /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    }
    function links() {
      return Array.prototype.slice.call(box.querySelectorAll(".pagefind-ui__result-link"));
    }
    document.addEventListener("keydown", function (event) {
      if (event.key === "/" && !typing(event.target) && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    });
    box.addEventListener("keydown", function (event) {
      var all = links();
      var at = all.indexOf(document.activeElement);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!all.length || (at < 0 && document.activeElement !== input)) return;
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = at + step;
        if (next < 0) input.focus();
        else all[Math.min(next, all.length - 1)].focus();
      } else if (event.key === "Escape") {
        input.value = "";
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.blur();
      }
    });

    // `runbook serve` marks its pages: the index is rebuilt in the background after an edit.
    var status = document.querySelector('meta[name="runbook-search-status"]');
    if (!status) return;
    var note = document.createElement("p");
    note.className = "runbook-search__status";
    note.hidden = true;
    note.textContent = "Search is catching up with the last edit: results may be out of date.";
    box.appendChild(note);
    var url = new URL(status.getAttribute("content"), root).href;
    function poll() {
      fetch(url, { cache: "no-store" })
        .then(function (response) { return response.ok ? response.json() : { indexing: false }; })
        .then(function (state) {
          note.hidden = !state.indexing;
          if (state.indexing) setTimeout(poll, 500);
        })
        .catch(function () { note.hidden = true; });
    }
    poll();
  }
})();
