/*
 * Keyboard shortcuts for the moderation queue. A progressive enhancement: every action is a
 * plain form that works without this file.
 *
 *   j / k  focus the next / previous comment card
 *   a      approve the focused comment
 *   r      focus the focused comment's rejection reason
 *   s      mark the focused comment as spam
 *   x      select the focused comment for a bulk decision
 *   ?      show or hide the help panel (Escape hides it)
 */
(function () {
  "use strict";

  var FOCUS_KEY = "moderation:focus";
  var TEXT_INPUTS = ["checkbox", "radio", "button", "submit", "reset", "image", "file", "range", "color"];

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll(".mod-card[data-comment-id]"));
  }

  function currentCard() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".mod-card[data-comment-id]") : null;
  }

  function focusCard(card) {
    if (!card) {
      return;
    }
    card.focus();
    card.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = cards();
    if (!list.length) {
      return;
    }
    var index = list.indexOf(currentCard());
    if (index === -1) {
      focusCard(step > 0 ? list[0] : list[list.length - 1]);
      return;
    }
    focusCard(list[Math.min(Math.max(index + step, 0), list.length - 1)]);
  }

  function submit(form) {
    if (!form) {
      return;
    }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function isTyping(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) {
      return true;
    }
    return tag === "input" && TEXT_INPUTS.indexOf((target.type || "text").toLowerCase()) === -1;
  }

  var help = document.getElementById("shortcut-help");
  var helpToggle = document.querySelector("[data-help-toggle]");

  function toggleHelp(show) {
    if (!help) {
      return;
    }
    var visible = typeof show === "boolean" ? show : help.hidden;
    help.hidden = !visible;
    if (helpToggle) {
      helpToggle.setAttribute("aria-expanded", visible ? "true" : "false");
    }
  }

  if (helpToggle) {
    helpToggle.hidden = false;
    helpToggle.addEventListener("click", function () {
      toggleHelp();
    });
  }

  var selectAll = document.querySelector("[data-select-all]");
  if (selectAll) {
    selectAll.hidden = false;
    selectAll.addEventListener("click", function () {
      var boxes = document.querySelectorAll('.mod-card input[data-shortcut="select"]');
      var allChecked = Array.prototype.every.call(boxes, function (box) {
        return box.checked;
      });
      Array.prototype.forEach.call(boxes, function (box) {
        box.checked = !allChecked;
      });
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.key === "Escape" && help && !help.hidden) {
      toggleHelp(false);
      return;
    }
    if (isTyping(event.target)) {
      return;
    }
    var card = currentCard();
    var handled = true;
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "?":
        toggleHelp();
        break;
      case "a":
        submit(card && card.querySelector('form[data-action="approve"]'));
        break;
      case "s":
        submit(card && card.querySelector('form[data-action="spam"]'));
        break;
      case "r":
        var reason = card && card.querySelector('[data-shortcut="reject-reason"]');
        if (reason) {
          reason.focus();
        }
        break;
      case "x":
        var box = card && card.querySelector('input[data-shortcut="select"]');
        if (box) {
          box.checked = !box.checked;
        }
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });

  // After a decision the page reloads: put the focus back where the moderator was working.
  document.addEventListener("submit", function (event) {
    var card = event.target.closest && event.target.closest(".mod-card[data-comment-id]");
    if (!card) {
      return;
    }
    try {
      sessionStorage.setItem(
        FOCUS_KEY,
        JSON.stringify({ path: location.pathname + location.search, index: cards().indexOf(card) })
      );
    } catch (error) {
      /* storage unavailable: the focus simply starts at the top */
    }
  });

  try {
    var saved = JSON.parse(sessionStorage.getItem(FOCUS_KEY) || "null");
    sessionStorage.removeItem(FOCUS_KEY);
    if (saved && saved.path === location.pathname + location.search) {
      var list = cards();
      if (list.length) {
        focusCard(list[Math.min(saved.index, list.length - 1)]);
      }
    }
  } catch (error) {
    /* nothing saved, or storage unavailable */
  }
})();
