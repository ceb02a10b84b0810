/*
 * Article admin: unsaved text survives an expired session, a failed save or a
 * closed tab.
 *
 * The change form carries a hidden input with data-autosave-article (the
 * article's id, or "new") and data-autosave-updated-at (the version the server
 * sent). Every few seconds, and when the form is sent, the form's text fields
 * (title, summary, the rich-text editor's textarea, ...) are kept in
 * localStorage under the article's key, with the time they were kept and the
 * version they started from. Nothing is kept while the text equals what the
 * server has.
 *
 * On load, a kept copy that is newer than the server's version and differs
 * from the form is offered in a banner: "Restore unsaved text" / "Discard".
 * After a successful save (the next page shows the admin's success message and
 * no errors) the copy is deleted. After a failed save the form shows the
 * posted text, which the server does not have, so it is kept as unsaved.
 *
 * The banner is built with DOM methods; no text from the form or the storage
 * is ever parsed as HTML. No dependencies, ES2017, external file (strict CSP).
 */
(function () {
  "use strict";

  const PREFIX = "commentary:article-draft:";
  const SUBMITTED = "commentary:article-draft-submitted";
  const SAVE_EVERY_MS = 5000;
  const FORGET_AFTER_MS = 30 * 24 * 60 * 60 * 1000;
  const TEXT_INPUTS = /^(text|url|email|number|search|date|time|datetime-local)$/;

  // The rich-text editors, by textarea, so that restored text reaches them.
  const editors = new WeakMap();
  document.addEventListener("prose-editor:ready", function (event) {
    if (event.detail && event.detail.textarea && event.detail.editor) {
      editors.set(event.detail.textarea, event.detail.editor);
    }
  });

  function storageOf(name) {
    try {
      const storage = window[name];
      const probe = PREFIX + "probe";
      storage.setItem(probe, "1");
      storage.removeItem(probe);
      return storage;
    } catch (error) {
      return null;
    }
  }

  function read(storage, key) {
    try {
      const draft = JSON.parse(storage.getItem(key));
      return draft && typeof draft === "object" && draft.fields ? draft : null;
    } catch (error) {
      return null;
    }
  }

  function forgetOldDrafts(storage) {
    const now = Date.now();
    for (let index = storage.length - 1; index >= 0; index -= 1) {
      const key = storage.key(index);
      if (key && key.indexOf(PREFIX) === 0) {
        const draft = read(storage, key);
        if (!draft || !(now - draft.savedAt < FORGET_AFTER_MS)) {
          storage.removeItem(key);
        }
      }
    }
  }

  function pageHasErrors() {
    return Boolean(document.querySelector(".errornote, .errorlist"));
  }

  // The form sent on the previous page: delete its copy if the save succeeded.
  function settlePreviousSubmit(storage, session) {
    const key = session.getItem(SUBMITTED);
    if (!key) {
      return;
    }
    session.removeItem(SUBMITTED);
    const succeeded = document.querySelector(".messagelist .success");
    if (succeeded && !pageHasErrors()) {
      storage.removeItem(key);
    }
  }

  function textFields(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      if (!element.name || element.disabled || element.name.indexOf("__prefix__") !== -1) {
        return false;
      }
      if (element.tagName === "TEXTAREA") {
        return true;
      }
      return element.tagName === "INPUT" && TEXT_INPUTS.test(element.type);
    });
  }

  function valuesOf(fields) {
    const values = {};
    fields.forEach(function (field) {
      values[field.name] = field.value;
    });
    return values;
  }

  function differs(kept, current) {
    return Object.keys(kept).some(function (name) {
      return Object.prototype.hasOwnProperty.call(current, name) && kept[name] !== current[name];
    });
  }

  function setValue(field, value) {
    const editor = editors.get(field);
    if (editor && editor.commands && typeof editor.commands.setContent === "function") {
      editor.commands.setContent(value);
    }
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function banner(marker, draft, onRestore, onDiscard) {
    const box = document.createElement("div");
    box.className = "autosave-banner";
    box.setAttribute("role", "alert");

    const message = document.createElement("p");
    const when = new Date(draft.savedAt).toLocaleString();
    message.textContent = (marker.dataset.autosaveMessage || "").replace("%(time)s", when);
    box.appendChild(message);

    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button default";
    restore.textContent = marker.dataset.autosaveRestore || "Restore";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = marker.dataset.autosaveDiscard || "Discard";

    restore.addEventListener("click", function () {
      onRestore();
      message.textContent = marker.dataset.autosaveRestored || "";
      box.classList.add("autosave-banner-done");
      restore.remove();
      discard.remove();
    });
    discard.addEventListener("click", function () {
      onDiscard();
      box.remove();
    });

    const actions = document.createElement("p");
    actions.className = "autosave-banner-actions";
    actions.appendChild(restore);
    actions.appendChild(discard);
    box.appendChild(actions);
    return box;
  }

  function start() {
    const storage = storageOf("localStorage");
    const session = storageOf("sessionStorage");
    if (!storage) {
      return;
    }
    forgetOldDrafts(storage);
    if (session) {
      settlePreviousSubmit(storage, session);
    }

    const marker = document.querySelector("[data-autosave-article]");
    const form = marker && marker.form;
    if (!form) {
      return;
    }
    const key = PREFIX + marker.dataset.autosaveArticle;
    const serverVersion = marker.dataset.autosaveUpdatedAt || "";
    // After a failed save the form shows text the server does not have.
    const serverValues = pageHasErrors() ? null : valuesOf(textFields(form));
    let waitingForAnswer = false;

    function keep() {
      if (waitingForAnswer) {
        return;
      }
      const current = valuesOf(textFields(form));
      try {
        if (serverValues && !differs(current, serverValues)) {
          storage.removeItem(key);
          return;
        }
        const draft = { savedAt: Date.now(), basedOn: serverVersion, fields: current };
        storage.setItem(key, JSON.stringify(draft));
      } catch (error) {
        // Storage full or refused: nothing more this script can do.
      }
    }

    const draft = read(storage, key);
    if (draft) {
      const serverTime = Date.parse(serverVersion);
      const newer =
        !serverVersion || draft.basedOn === serverVersion || !(draft.savedAt <= serverTime);
      const current = valuesOf(textFields(form));
      if (newer && differs(draft.fields, current)) {
        waitingForAnswer = true;
        const box = banner(
          marker,
          draft,
          function () {
            textFields(form).forEach(function (field) {
              if (Object.prototype.hasOwnProperty.call(draft.fields, field.name)) {
                setValue(field, draft.fields[field.name]);
              }
            });
            waitingForAnswer = false;
            keep();
          },
          function () {
            storage.removeItem(key);
            waitingForAnswer = false;
          }
        );
        form.insertBefore(box, form.firstChild);
      } else if (serverValues && !newer) {
        // The server has a later version: this copy was saved or overtaken.
        storage.removeItem(key);
      }
    } else if (!serverValues) {
      keep();
    }

    // Typing while the banner waits means the editor chose the text on screen.
    form.addEventListener("input", function (event) {
      if (event.isTrusted) {
        waitingForAnswer = false;
      }
    });
    form.addEventListener("submit", function () {
      waitingForAnswer = false;
      keep();
      if (session) {
        session.setItem(SUBMITTED, key);
      }
    });
    window.setInterval(keep, SAVE_EVERY_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
