/*
 * Comment form: a live hint about links while the reader types.
 *
 * Progressive enhancement: the server refuses links when the form is posted,
 * with or without this script. Here, once the reader pauses typing (400 ms),
 * the text is posted to the URL in the form's data-link-check-url attribute,
 * which answers {"links": [...], "missing_spaces": [...], "message": "..."};
 * the message is shown under the textarea in #body-link-hint, and cleared when
 * both lists are empty. Network errors and odd answers are ignored silently.
 *
 * No dependencies, ES2017, loaded as an external file (strict CSP: no inline
 * script).
 */
(function () {
  "use strict";

  const DEBOUNCE_MS = 400;
  const HINT_ID = "body-link-hint";

  function hintFor(textarea) {
    let hint = document.getElementById(HINT_ID);
    if (!hint) {
      hint = document.createElement("p");
      hint.id = HINT_ID;
      hint.className = "field-hint";
      textarea.insertAdjacentElement("afterend", hint);
    }
    hint.setAttribute("role", "status");
    hint.setAttribute("aria-live", "polite");
    const describedBy = (textarea.getAttribute("aria-describedby") || "").split(/\s+/);
    if (describedBy.indexOf(HINT_ID) === -1) {
      describedBy.push(HINT_ID);
      textarea.setAttribute("aria-describedby", describedBy.join(" ").trim());
    }
    return hint;
  }

  function show(hint, message) {
    // The live region stays in place (not hidden) so that screen readers
    // announce each change; empty, it takes no room.
    if (hint.textContent !== message) {
      hint.textContent = message;
    }
  }

  function isList(value) {
    return Array.isArray(value);
  }

  function enhance(form) {
    const url = form.getAttribute("data-link-check-url");
    const textarea = form.querySelector("textarea#id_body");
    const tokenInput = form.querySelector("input[name='csrfmiddlewaretoken']");
    if (!url || !textarea || !window.fetch || !window.URLSearchParams) {
      return;
    }
    const hint = hintFor(textarea);
    let timer = null;
    let lastChecked = null;
    let latest = 0; // number of the latest request: older answers are dropped
    let controller = null;

    async function check() {
      const text = textarea.value;
      if (text === lastChecked) {
        return;
      }
      lastChecked = text;
      if (!text.trim()) {
        show(hint, "");
        return;
      }
      const number = ++latest;
      if (controller) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      try {
        const response = await fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "X-CSRFToken": tokenInput ? tokenInput.value : "",
            "X-Requested-With": "XMLHttpRequest",
            Accept: "application/json",
          },
          body: new URLSearchParams({ text: text }),
          signal: controller ? controller.signal : undefined,
        });
        if (!response.ok) {
          if (number === latest) {
            lastChecked = null; // try again on the next pause
          }
          return;
        }
        const data = await response.json();
        if (number !== latest || !data || !isList(data.links) || !isList(data.missing_spaces)) {
          return;
        }
        const found = data.links.length || data.missing_spaces.length;
        show(hint, found && typeof data.message === "string" ? data.message : "");
      } catch (error) {
        // Offline, aborted or not JSON: the server still checks on posting.
        if (number === latest) {
          lastChecked = null;
        }
      }
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, DEBOUNCE_MS);
    });
    form.addEventListener("reset", function () {
      window.clearTimeout(timer);
      lastChecked = null;
      show(hint, "");
    });
  }

  function init() {
    const forms = document.querySelectorAll("form.comment-form");
    for (let i = 0; i < forms.length; i++) {
      enhance(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
