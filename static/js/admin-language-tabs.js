// Language tabs on the admin's change forms (kb/admin.py, LanguageTabs): one tab per
// language, showing only that language's fields (the fields without a language stay). A tab
// whose fields hold an error is marked, and the first such tab opens, so no error is hidden.
// The widgets of translated fields carry the class "mt-field-<field>-<language>"
// (django-modeltranslation).
(function () {
  "use strict";
  var NAMES = { en: "English", ru: "Русский" };
  var FIELD_CLASS = /(?:^|\s)mt-field-\S+-([a-z]{2}(?:_[a-z]+)?)(?=\s|$)/;

  function containers(widget) {
    // A field in a tabular inline is a table cell with its column's header; elsewhere, its row.
    var cell = widget.closest("td");
    if (cell && cell.closest(".tabular")) {
      var table = cell.closest("table");
      var header = table && table.tHead && table.tHead.rows[0];
      var index = Array.prototype.indexOf.call(cell.parentNode.children, cell);
      var th = header ? header.children[index] : null;
      return th ? [cell, th] : [cell];
    }
    var row = widget.closest(".fieldBox, .form-row");
    return row ? [row] : [];
  }

  function start() {
    var form = document.querySelector("#content-main form");
    if (!form) return;
    var byLanguage = {};
    form.querySelectorAll("[class*='mt-field-']").forEach(function (widget) {
      var match = FIELD_CLASS.exec(widget.className);
      if (!match) return;
      var list = (byLanguage[match[1]] = byLanguage[match[1]] || []);
      containers(widget).forEach(function (element) {
        if (list.indexOf(element) < 0) list.push(element);
      });
    });
    var languages = Object.keys(byLanguage);
    if (languages.length < 2) return;

    var bar = document.createElement("div");
    bar.className = "language-tabs";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Language of the texts");
    var buttons = {};
    function hasError(language) {
      return byLanguage[language].some(function (element) {
        return element.querySelector(".errorlist") || element.classList.contains("errors");
      });
    }
    function show(language) {
      languages.forEach(function (other) {
        byLanguage[other].forEach(function (element) {
          element.classList.toggle("language-hidden", other !== language);
        });
        buttons[other].setAttribute("aria-pressed", String(other === language));
      });
    }
    languages.forEach(function (language) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "language-tab" + (hasError(language) ? " language-tab-error" : "");
      button.textContent = NAMES[language] || language;
      button.lang = language;
      button.addEventListener("click", function () {
        show(language);
      });
      buttons[language] = button;
      bar.appendChild(button);
    });
    var withError = languages.filter(hasError)[0];
    var page = (document.documentElement.lang || "").slice(0, 2);
    var first = withError || (languages.indexOf(page) >= 0 ? page : languages[0]);
    var anchor = form.querySelector("fieldset, .inline-group");
    (anchor ? anchor.parentNode : form).insertBefore(bar, anchor);
    show(first);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
