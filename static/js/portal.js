/* Small behaviours of every page. No inline scripts: the templates only set data-*.
 *
 * - htmx requests carry Django's CSRF token (X-CSRFToken), same-origin only.
 * - Success and info messages close themselves after a few seconds.
 * - Forms and buttons with data-confirm ask before submitting.
 * - A failed htmx request shows a message instead of failing silently.
 * - Buttons with data-print print the page (recovery codes).
 */
(function () {
  "use strict";

  var AUTO_DISMISS_MS = 6000;

  function readCookie(name) {
    var prefix = name + "=";
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      if (part.indexOf(prefix) === 0) {
        return decodeURIComponent(part.slice(prefix.length));
      }
    }
    return null;
  }

  function csrfToken() {
    var cookieName = document.body.dataset.csrfCookieName || "csrftoken";
    var token = readCookie(cookieName);
    if (token) {
      return token;
    }
    // Fallback when the cookie is unreadable (CSRF_USE_SESSIONS): a form on the page.
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : null;
  }

  function isSameOrigin(path) {
    try {
      return new URL(path, window.location.href).origin === window.location.origin;
    } catch (e) {
      return false;
    }
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (!isSameOrigin(detail.path)) {
      return; // never leak the token to another origin
    }
    var token = csrfToken();
    if (token) {
      detail.headers["X-CSRFToken"] = token;
    }
  });

  function closeAlert(alert) {
    if (window.bootstrap && window.bootstrap.Alert) {
      window.bootstrap.Alert.getOrCreateInstance(alert).close();
    } else {
      alert.remove();
    }
  }

  function scheduleAutoDismiss(root) {
    var alerts = (root || document).querySelectorAll(".alert[data-autodismiss]");
    alerts.forEach(function (alert) {
      if (alert.dataset.autodismissScheduled) {
        return;
      }
      alert.dataset.autodismissScheduled = "1";
      var timer = window.setTimeout(function () {
        closeAlert(alert);
      }, AUTO_DISMISS_MS);
      // Someone reading or hovering the message keeps it.
      alert.addEventListener("mouseenter", function () {
        window.clearTimeout(timer);
      });
      alert.addEventListener("focusin", function () {
        window.clearTimeout(timer);
      });
    });
  }

  function showMessage(text, level) {
    var container = document.getElementById("messages");
    if (!container || !text) {
      return;
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-" + (level || "danger") + " alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", document.body.dataset.msgClose || "Close");
    alert.appendChild(close);
    container.appendChild(alert);
  }

  document.addEventListener("htmx:responseError", function () {
    showMessage(document.body.dataset.msgRequestFailed, "danger");
  });

  document.addEventListener("htmx:sendError", function () {
    showMessage(document.body.dataset.msgOffline, "warning");
  });

  // data-confirm="Are you sure…?" on a form (checked on submit) or a button.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question =
      (submitter && submitter.dataset && submitter.dataset.confirm) || form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) {
      event.preventDefault();
      window.print();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    scheduleAutoDismiss(document);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    scheduleAutoDismiss(event.target);
  });
})();
