/*
 * merchant-assistant support console (vanilla JS, no framework, nothing from a CDN).
 *
 * Live updates over socket.io, namespace /console (the session cookie authenticates):
 *   queue {items}            the queue changed (new, taken, ended handoffs)
 *   message {handoff_id}     a message was added to a handoff's transcript
 *   handoff {handoff_id}     a handoff changed state
 * The live conversations page (/console/live) refreshes its list from /console/live.json.
 * Every POST carries the CSRF token from <meta name="csrf-token"> (X-CSRF-Token).
 * Every text is inserted with textContent, never innerHTML.
 */
(function () {
  "use strict";

  var body = document.body;
  var page = body.getAttribute("data-page");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(payload || {}),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (response.status === 401) {
        window.location.assign("/console");
        throw new Error("signed out");
      }
      return response.json();
    });
  }

  function errorText(result) {
    var detail = result.data && result.data.detail;
    if (detail && detail.message) return detail.message;
    return "That did not work (" + result.status + "). Reload the page and try again.";
  }

  function waitingText(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) return seconds + " s";
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + " min";
    return Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function connect(status) {
    if (!window.io) return null;
    var socket = window.io("/console", { transports: ["websocket", "polling"] });
    socket.on("connect", function () { if (status) status.textContent = "Live"; });
    socket.on("disconnect", function () { if (status) status.textContent = "Reconnecting…"; });
    socket.on("connect_error", function () {
      if (status) status.textContent = "Not connected: sign in again if this lasts.";
    });
    return socket;
  }

  // --- queue page -------------------------------------------------------------------

  function queuePage() {
    var rows = document.getElementById("queue-rows");
    var empty = document.getElementById("queue-empty");
    var toggle = document.getElementById("online-toggle");
    var status = document.getElementById("live-status");
    var banner = document.getElementById("waiting-banner");
    var shownAt = Date.now();

    // "3 conversations waiting, oldest 12 min": shown while the agent is online.
    function updateBanner() {
      var elapsed = (Date.now() - shownAt) / 1000;
      var waiting = [];
      rows.querySelectorAll('tr[data-state="waiting"] td.waiting').forEach(function (td) {
        waiting.push(Number(td.getAttribute("data-waiting")) + elapsed);
      });
      if (!toggle.checked || !waiting.length) {
        banner.hidden = true;
        return;
      }
      var noun = waiting.length === 1 ? "conversation" : "conversations";
      banner.textContent = waiting.length + " " + noun + " waiting, oldest " +
        waitingText(Math.max.apply(null, waiting));
      banner.hidden = false;
    }

    function renderQueue(items) {
      shownAt = Date.now();
      rows.textContent = "";
      items.forEach(function (item) {
        var row = document.createElement("tr");
        row.setAttribute("data-handoff-id", item.id);
        row.setAttribute("data-state", item.state);
        var waiting = cell(row, waitingText(item.waiting_seconds));
        waiting.className = "waiting";
        waiting.setAttribute("data-waiting", item.waiting_seconds);
        cell(row, item.organization);
        cell(row, item.user);
        cell(row, item.channel);
        var reason = cell(row, item.reason);
        if (item.sms_callback) {
          var callback = document.createElement("span");
          callback.className = "callback";
          callback.textContent = item.sms_callback;
          reason.appendChild(document.createElement("br"));
          reason.appendChild(callback);
        }
        cell(row, item.state_label);
        var open = document.createElement("a");
        open.href = "/console/handoffs/" + encodeURIComponent(item.id);
        open.textContent = "Open";
        cell(row, "").appendChild(open);
        rows.appendChild(row);
      });
      empty.hidden = items.length > 0;
      updateBanner();
    }

    setInterval(function () {
      var elapsed = (Date.now() - shownAt) / 1000;
      rows.querySelectorAll('tr[data-state="waiting"] td.waiting').forEach(function (td) {
        td.textContent = waitingText(Number(td.getAttribute("data-waiting")) + elapsed);
      });
      updateBanner();
    }, 1000);

    toggle.addEventListener("change", function () {
      var wanted = toggle.checked;
      toggle.disabled = true;
      post("/console/online", { online: wanted }).then(function (result) {
        toggle.disabled = false;
        if (!result.ok) {
          toggle.checked = !wanted;
          status.textContent = errorText(result);
        }
        updateBanner();
      });
    });

    var socket = connect(status);
    if (socket) socket.on("queue", function (data) { renderQueue(data.items || []); });
  }

  // --- conversation page ------------------------------------------------------------

  function handoffPage() {
    var handoffId = body.getAttribute("data-handoff-id");
    var base = "/console/handoffs/" + encodeURIComponent(handoffId);
    var transcript = document.getElementById("transcript");
    var stateLine = document.getElementById("handoff-state");
    var actionError = document.getElementById("action-error");
    var take = document.getElementById("take");
    var handBack = document.getElementById("hand-back");
    var closeButton = document.getElementById("close");
    var reply = document.getElementById("reply");
    var replyInput = document.getElementById("reply-input");
    var loading = null;

    function showError(text) {
      actionError.textContent = text;
      actionError.hidden = !text;
    }

    function render(view) {
      stateLine.textContent = view.state_text;
      transcript.textContent = "";
      (view.messages || []).forEach(function (message) {
        var item = document.createElement("li");
        item.className = "bubble " + message.sender;
        var from = document.createElement("span");
        from.className = "from";
        from.textContent = message.from;
        var text = document.createElement("span");
        text.className = "text";
        text.textContent = message.text;
        item.appendChild(from);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(text);
        transcript.appendChild(item);
      });
      transcript.scrollTop = transcript.scrollHeight;
      take.hidden = view.state !== "waiting";
      handBack.hidden = !view.mine;
      closeButton.hidden = !view.mine;
      reply.hidden = !view.mine;
    }

    function load() {
      if (loading) return loading;
      loading = getJson(base + ".json").then(render).catch(function () {}).then(function () {
        loading = null;
      });
      return loading;
    }

    function act(path, payload) {
      showError("");
      return post(base + path, payload).then(function (result) {
        if (!result.ok) showError(errorText(result));
        return load().then(function () { return result; });
      });
    }

    take.addEventListener("click", function () { act("/take"); });
    handBack.addEventListener("click", function () { act("/return"); });
    closeButton.addEventListener("click", function () { act("/close"); });
    reply.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = replyInput.value.trim();
      if (!text) return;
      act("/messages", { text: text }).then(function (result) {
        if (result.ok) replyInput.value = "";
      });
    });

    var socket = connect(null);
    if (socket) {
      var mine = function (data) {
        if (data && String(data.handoff_id) === String(handoffId)) load();
      };
      socket.on("message", mine);
      socket.on("handoff", mine);
      socket.on("queue", function () { load(); });
      socket.on("connect", function () { load(); });
    }
    load();
  }

  // --- live conversations page ------------------------------------------------------

  function livePage() {
    var rows = document.getElementById("live-rows");
    var empty = document.getElementById("live-empty");
    var shownAt = Date.now();

    function agoText(seconds) {
      return seconds < 5 ? "just now" : waitingText(seconds) + " ago";
    }

    function takeForm(item) {
      var form = document.createElement("form");
      form.method = "post";
      form.action = "/console/live/take";
      form.className = "inline";
      [["csrf_token", csrf], ["conversation_id", item.conversation_id]].forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        form.appendChild(input);
      });
      var button = document.createElement("button");
      button.type = "submit";
      button.textContent = "Take";
      button.setAttribute("aria-label", "Take the conversation with " + item.user);
      form.appendChild(button);
      return form;
    }

    function render(items) {
      shownAt = Date.now();
      rows.textContent = "";
      items.forEach(function (item) {
        var row = document.createElement("tr");
        row.setAttribute("data-conversation-id", item.conversation_id);
        cell(row, item.organization);
        cell(row, item.user);
        cell(row, item.channel);
        cell(row, item.language);
        var ago = cell(row, agoText(item.seconds));
        ago.className = "ago";
        ago.setAttribute("data-seconds", item.seconds);
        var last = cell(row, "");
        if (item.handoff_id) {
          var link = document.createElement("a");
          link.href = "/console/handoffs/" + encodeURIComponent(item.handoff_id);
          link.textContent = item.handoff_state;
          last.appendChild(link);
        } else {
          last.appendChild(takeForm(item));
        }
        rows.appendChild(row);
      });
      empty.hidden = items.length > 0;
    }

    setInterval(function () {
      var elapsed = (Date.now() - shownAt) / 1000;
      rows.querySelectorAll("td.ago").forEach(function (td) {
        td.textContent = agoText(Number(td.getAttribute("data-seconds")) + elapsed);
      });
    }, 1000);
    setInterval(function () {
      getJson("/console/live.json").then(function (data) {
        if (data && data.items) render(data.items);
      }).catch(function () {});
    }, 5000);
  }

  if (page === "queue") queuePage();
  if (page === "live") livePage();
  if (page === "handoff") handoffPage();
})();
