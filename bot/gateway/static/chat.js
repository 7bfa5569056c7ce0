/*
 * merchant-assistant demo chat widget (vanilla JS, no framework).
 *
 * Speaks Rasa's socket.io widget protocol with the gateway:
 *   connect {auth: {token}} -> session_request {session_id?} -> session_confirm <id>
 *   user_uttered {message, session_id} -> bot_uttered {text, quick_replies?}
 * Quick replies carry opaque ids: clicking one sends the id and shows its title.
 * Every text is inserted with textContent (never innerHTML); http(s) URLs in bot
 * messages become links built as DOM nodes (new tab, no opener, no referrer).
 */
(function () {
  "use strict";

  var chat = document.getElementById("chat");
  var who = document.getElementById("chat-who");
  var statusLine = document.getElementById("chat-status");
  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("message-input");
  var newConversation = document.getElementById("new-conversation");

  var socket = null;
  var user = null; // {id, name}
  var conversationId = null;

  function storageKey() {
    return "merchant-assistant:conversation:" + user.id;
  }

  function setStatus(text) {
    statusLine.textContent = text;
  }

  function scrollDown() {
    list.scrollTop = list.scrollHeight;
  }

  // An http(s) URL up to whitespace or a character that cannot end one in prose.
  var URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;
  var TRAILING_PUNCTUATION = /[.,;:!?'")\]}]+$/;

  function safeHref(candidate) {
    try {
      var url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  // Fill `parent` with `text`, turning http(s) URLs into links; text nodes only.
  function appendLinkified(parent, text) {
    var last = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var candidate = match[0];
      var trailing = candidate.match(TRAILING_PUNCTUATION);
      if (trailing) candidate = candidate.slice(0, candidate.length - trailing[0].length);
      var href = candidate ? safeHref(candidate) : null;
      if (!href) continue;
      if (match.index > last) {
        parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      }
      var link = document.createElement("a");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = candidate;
      parent.appendChild(link);
      last = match.index + candidate.length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function addBubble(author, text) {
    var item = document.createElement("li");
    item.className = "bubble " + author;
    var label = document.createElement("span");
    label.className = "sr-only";
    label.textContent = author === "user" ? "You said: " : "Assistant: ";
    var body = document.createElement("span");
    body.className = "text";
    if (author === "bot") {
      appendLinkified(body, text);
    } else {
      body.textContent = text;
    }
    item.appendChild(label);
    item.appendChild(body);
    list.appendChild(item);
    scrollDown();
    return item;
  }

  function send(message, shown) {
    if (!socket || !conversationId) {
      setStatus("Not connected yet — please wait a moment.");
      return false;
    }
    addBubble("user", shown);
    socket.emit("user_uttered", { message: message, session_id: conversationId });
    return true;
  }

  function addQuickReplies(item, replies) {
    var group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested replies");
    replies.forEach(function (reply) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = reply.title;
      button.addEventListener("click", function () {
        if (send(reply.payload, reply.title)) {
          group.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
          button.classList.add("chosen");
          input.focus();
        }
      });
      group.appendChild(button);
    });
    item.appendChild(group);
    scrollDown();
  }

  function onBotUttered(message) {
    if (!message || typeof message !== "object") return;
    var item = addBubble("bot", typeof message.text === "string" ? message.text : "");
    if (Array.isArray(message.quick_replies) && message.quick_replies.length) {
      addQuickReplies(item, message.quick_replies);
    }
  }

  function requestSession(fresh) {
    var previous = fresh ? null : window.localStorage.getItem(storageKey());
    socket.emit("session_request", previous ? { session_id: previous } : {});
  }

  function connect(token) {
    socket = window.io({ auth: { token: token }, transports: ["websocket", "polling"] });
    socket.on("connect", function () {
      setStatus("Connected.");
      requestSession(false);
    });
    socket.on("session_confirm", function (data) {
      var id = data && data.session_id ? data.session_id : data;
      if (typeof id !== "string") return;
      if (conversationId && conversationId !== id) list.textContent = "";
      conversationId = id;
      window.localStorage.setItem(storageKey(), id);
      setStatus("Connected as " + user.name + ".");
    });
    socket.on("bot_uttered", onBotUttered);
    socket.on("connect_error", function (error) {
      var reason = error && error.message ? error.message : "unknown error";
      if (reason === "unauthorized") {
        setStatus("The assistant did not accept this session — pick the user again.");
      } else if (socket && socket.active) {
        setStatus("Could not connect to the assistant (" + reason + "). Retrying…");
      } else {
        setStatus("Could not connect to the assistant (" + reason + "). Pick the user again.");
      }
    });
    socket.on("disconnect", function () {
      setStatus("Disconnected. Reconnecting…");
    });
  }

  function startChat(button) {
    user = { id: button.dataset.userId, name: button.dataset.userName };
    if (socket) socket.disconnect();
    socket = null;
    conversationId = null;
    list.textContent = "";
    chat.hidden = false;
    who.textContent = "Chatting as " + user.name +
      (button.dataset.userOrg ? " (" + button.dataset.userOrg + ")" : "") + ".";
    setStatus("Signing in…");
    fetch("/demo/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user_id: Number(user.id) })
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        connect(body.token);
        input.focus();
      })
      .catch(function (error) {
        setStatus("Could not sign in as " + user.name + " (" + error.message + ").");
      });
  }

  document.querySelectorAll(".pick-user").forEach(function (button) {
    button.addEventListener("click", function () { startChat(button); });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (send(text, text)) input.value = "";
  });

  newConversation.addEventListener("click", function () {
    if (!socket || !user) return;
    window.localStorage.removeItem(storageKey());
    list.textContent = "";
    requestSession(true);
    input.focus();
  });
})();
