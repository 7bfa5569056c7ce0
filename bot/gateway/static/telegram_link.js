/*
 * merchant-assistant demo dashboard: "Link Telegram" buttons.
 *
 * POST /demo/telegram-link {user_id} -> {code, expires_at, command, link}; shows the
 * /start command to send the bot and, when the bot has a username, the t.me link.
 * Every text is inserted with textContent; the link is set only for https://t.me/.
 */
(function () {
  "use strict";

  var section = document.getElementById("telegram-link");
  if (!section) return;
  var who = document.getElementById("telegram-who");
  var statusLine = document.getElementById("telegram-status");
  var result = document.getElementById("telegram-result");
  var command = document.getElementById("telegram-command");
  var openLine = document.getElementById("telegram-open");
  var url = document.getElementById("telegram-url");
  var expires = document.getElementById("telegram-expires");

  function show(data) {
    command.textContent = data.command;
    var link = typeof data.link === "string" && data.link.indexOf("https://t.me/") === 0;
    openLine.hidden = !link;
    if (link) {
      url.href = data.link;
      url.textContent = data.link;
    }
    var when = new Date(data.expires_at);
    expires.textContent = isNaN(when.getTime()) ? data.expires_at : when.toLocaleTimeString();
    statusLine.textContent = "";
    result.hidden = false;
  }

  function linkFor(button) {
    section.hidden = false;
    result.hidden = true;
    who.textContent = "For " + button.dataset.userName + ":";
    statusLine.textContent = "Getting a link code…";
    fetch("/demo/telegram-link", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user_id: Number(button.dataset.userId) })
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(show)
      .catch(function () {
        statusLine.textContent = "Could not get a link code. Is the platform running?";
      });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".link-telegram"), function (button) {
    button.addEventListener("click", function () { linkFor(button); });
  });
})();
