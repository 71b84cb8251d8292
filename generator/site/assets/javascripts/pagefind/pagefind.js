/* Pagefind's API as the header search box (search.js) hands it to Pagefind's UI: the same
 * module, except that the engine starts when the module loads, and the filters load only
 * once the first search has answered.
 *
 * With every answer Pagefind counts how many results carry each filter value, and that
 * count grows with the results times the filter values of the whole site: on a site of
 * thousands of runbooks it takes longer than the search itself. Pagefind counts only the
 * filters it has loaded, and its UI loads them all as soon as it starts, so the first
 * results would wait for the count. Here they do not (nor do the first results' excerpts,
 * which the engine would load only after counting). The UI shows the filters that
 * `filters()` returns until an answer brings counts of its own: once the filters are in,
 * it returns them counted for the last query, so the panel never shows the whole site's
 * counts under a query's results. A search asked while the filters load waits for them,
 * so that no answer counts only some of them. */
export * from "../../../_pagefind/pagefind.js";
import { filters as loadFilters, init, search as find } from "../../../_pagefind/pagefind.js";

// Every page loads this module as it loads (generator/site/html.py), so the engine (its
// worker, WebAssembly and index metadata) starts then, not once a query is typed. The
// UI's options (excerpt length, highlight parameter) reach the engine when it sets them.
init();

let answered;
const firstAnswer = new Promise((resolve) => {
  answered = resolve;
});
let loading = null;
let last = null;

const SHOWN = 5; // results the UI shows at first (its page size)
let shown = null;

export async function search(term, options) {
  last = [term, options];
  if (loading) await loading;
  try {
    const answer = await find(term, options);
    if (!shown && answer && answer.results) {
      // The engine does one thing at a time: the results the UI is about to show load
      // before the filters, or the count would hold them back.
      shown = Promise.allSettled(answer.results.slice(0, SHOWN).map((r) => r.data()));
    }
    return answer;
  } finally {
    answered();
  }
}

export async function filters() {
  await firstAnswer;
  await shown;
  loading = loading || loadFilters();
  const all = await loading;
  const counted = await find(last[0], last[1]);
  return counted && counted.filters && Object.keys(counted.filters).length ? counted.filters : all;
}
