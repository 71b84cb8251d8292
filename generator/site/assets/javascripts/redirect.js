/* An alert's page (alerts/<Name>/, outside the theme) sends the browser to the runbook,
   section or scenario that handles the alert, keeping the query string: the alert's labels
   (?instance=db-2&namespace=prod) fill in the runbook page's variables form. Without
   JavaScript the page's <noscript> refresh goes to the same place, without the labels. */
(function () {
  "use strict";
  var link = document.querySelector('link[rel="canonical"]');
  if (!link) return;
  var target = new URL(link.getAttribute("href"), location.href);
  if (location.search) target.search = location.search;
  location.replace(target.href);
})();
