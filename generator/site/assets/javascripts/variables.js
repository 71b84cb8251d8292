/* The variables form of a runbook page.

   The page carries its variables as data (generator/site/page_form.py); this script draws a
   small form under the variables table, prefilled from the URL query (?REPLICA_HOST=db-2)
   or an alert's labels (?instance=db-2, mapped by the runbook's `labels:` or by name, in
   any case). A shell block's copy button then copies `export NAME='value'` lines in front
   of the command, which itself is never changed: what is copied runs as `runbook exec`
   runs it. Values stay in the page (sessionStorage of this tab at most, never a request);
   secrets are never asked for. Without JavaScript the page reads as it always did. */
(function () {
  "use strict";

  var SHELLS = ["bash", "sh", "shell", "zsh", "ksh", "dash"];
  var KINDS = ["check", "action", "destructive", "manual"];

  /* A value as one shell word: single quotes, a quote inside as '\'' */
  function shellQuote(value) {
    return "'" + value.replace(/'/g, "'\\''") + "'";
  }

  function readData() {
    var el = document.getElementById("runbook-form-data");
    if (!el) return null;
    try {
      return JSON.parse(el.getAttribute("data-variables") || "");
    } catch (e) {
      return null;
    }
  }

  /* Query parameter -> variable name: the `labels:` map first, then the name itself. */
  function fromQuery(data) {
    var names = {};
    data.variables.forEach(function (v) { names[v.name.toLowerCase()] = v.name; });
    var labels = {};
    Object.keys(data.labels || {}).forEach(function (label) {
      labels[label.toLowerCase()] = data.labels[label];
    });
    var found = {};
    new URLSearchParams(location.search).forEach(function (value, key) {
      var lower = key.toLowerCase();
      var name = labels[lower] || names[lower];
      if (name && names[name.toLowerCase()] === name) found[name] = value;
    });
    return found;
  }

  function storageKey() { return "runbook-variables:" + location.pathname; }

  function loadStored() {
    try {
      return JSON.parse(sessionStorage.getItem(storageKey()) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function store(values) {
    try {
      sessionStorage.setItem(storageKey(), JSON.stringify(values));
    } catch (e) { /* storage off: the values still work on this page */ }
  }

  /* "" when the value is fine, else what is wrong (the value is still used). */
  function problem(variable, value) {
    if (!value) return "";
    if (variable.choices && variable.choices.indexOf(value) < 0) {
      return "not one of " + variable.choices.join(", ") + " (copied as typed)";
    }
    if (variable.pattern) {
      var re;
      try {
        re = new RegExp("^(?:" + variable.pattern + ")$");
      } catch (e) {
        return "";   // a Python-only pattern: runbook exec checks it
      }
      if (!re.test(value)) return "does not match " + variable.pattern + " (copied as typed)";
    }
    return "";
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function variablesTable() {
    var heading = document.getElementById("variables");
    if (!heading) return null;
    for (var el = heading.nextElementSibling; el && !/^H[1-6]$/.test(el.tagName);
         el = el.nextElementSibling) {
      if (el.tagName === "TABLE" || el.querySelector("table")) return el;
    }
    return null;
  }

  function runnableBlocks() {
    return Array.prototype.filter.call(
      document.querySelectorAll("article pre > code[id]"),
      function (code) {
        var lang = (code.className.match(/language-([\w-]+)/) || [])[1];
        return SHELLS.indexOf(lang) >= 0 &&
          KINDS.some(function (kind) { return code.classList.contains(kind); });
      });
  }

  function mentions(text, name) {
    return new RegExp("(^|[^A-Za-z0-9_])" + name + "([^A-Za-z0-9_]|$)").test(text);
  }

  /* Each shell block copies `export NAME='value'` lines for the filled-in variables it
     names, then its command as shown; a line above it says what the copy sets. */
  function updateBlocks(data, values, blocks) {
    blocks.forEach(function (code) {
      var command = code.textContent.replace(/\s+$/, "");
      var exports = data.variables
        .filter(function (v) { return values[v.name] && mentions(command, v.name); })
        .map(function (v) { return "export " + v.name + "=" + shellQuote(values[v.name]); });
      var pre = code.parentElement;
      var note = pre.previousElementSibling;
      if (!note || !note.classList.contains("runbook-copy-sets")) {
        if (!exports.length) return;
        note = element("p", "runbook-copy-sets");
        pre.parentElement.insertBefore(note, pre);
      }
      if (exports.length) {
        code.setAttribute("data-copy", exports.join("\n") + "\n" + command);
        note.textContent = "Copy sets " + exports.map(function (line) {
          return line.slice("export ".length);
        }).join(" ");
        note.hidden = false;
      } else {
        code.removeAttribute("data-copy");
        note.textContent = "";
        note.hidden = true;
      }
    });
  }

  function drawForm(data) {
    if (document.getElementById("runbook-form")) return;
    var table = variablesTable();
    if (!table || !data.variables.length) return;
    var values = Object.assign({}, loadStored(), fromQuery(data));
    var blocks = runnableBlocks();

    var form = element("form", "runbook-form");
    form.id = "runbook-form";
    form.setAttribute("autocomplete", "off");
    form.setAttribute("novalidate", "");
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.appendChild(element("p", "runbook-form__title", "Fill in for this page"));
    var intro = "Copy buttons then put export NAME='value' lines in front of a command " +
      "that reads NAME; the command itself stays as shown. Values stay in this tab.";
    if (data.secrets && data.secrets.length) {
      intro += " Secrets (" + data.secrets.join(", ") + ") are not asked for here: " +
        "export them in your terminal.";
    }
    form.appendChild(element("p", "runbook-form__intro", intro));

    data.variables.forEach(function (variable) {
      var field = element("div", "runbook-form__field");
      var id = "runbook-var-" + variable.name;
      var label = element("label");
      label.setAttribute("for", id);
      label.appendChild(element("code", "", variable.name));
      if (variable.description) label.title = variable.description;   // the table says it too
      var input = element("input");
      input.id = id;
      input.name = variable.name;
      input.type = "text";
      input.spellcheck = false;
      input.setAttribute("autocapitalize", "off");
      var hint = variable.default != null ? "default " + variable.default
        : variable.example != null ? "e.g. " + variable.example : "";
      if (hint) input.placeholder = hint;
      if (variable.choices) {
        var list = element("datalist");
        list.id = id + "-choices";
        variable.choices.forEach(function (choice) {
          var option = element("option");
          option.value = choice;
          list.appendChild(option);
        });
        field.appendChild(list);
        input.setAttribute("list", list.id);
      }
      input.value = values[variable.name] || "";
      var message = element("span", "runbook-form__hint");
      message.setAttribute("aria-live", "polite");
      function check() {
        var text = problem(variable, input.value);
        message.textContent = text;
        input.setAttribute("aria-invalid", text ? "true" : "false");
      }
      input.addEventListener("input", function () {
        if (input.value) values[variable.name] = input.value;
        else delete values[variable.name];
        store(values);
        check();
        updateBlocks(data, values, blocks);
      });
      check();
      field.appendChild(label);
      field.appendChild(input);
      field.appendChild(message);
      form.appendChild(field);
    });

    table.parentElement.insertBefore(form, table.nextSibling);
    store(values);
    updateBlocks(data, values, blocks);
  }

  /* An alert handled in several places lists them: its links keep the alert's labels. */
  function carryQueryOnAlertPage() {
    if (!location.search || !/\/alerts\/[^/]+/.test(location.pathname)) return;
    document.querySelectorAll("article a[href]").forEach(function (a) {
      var url = new URL(a.getAttribute("href"), location.href);
      if (url.origin !== location.origin || url.search || !/\/runbooks\//.test(url.pathname)) {
        return;
      }
      url.search = location.search;
      a.setAttribute("href", url.href);
    });
  }

  function init() {
    var data = readData();
    if (data) drawForm(data);
    carryQueryOnAlertPage();
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(init);                          // Material's page-load observable
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
