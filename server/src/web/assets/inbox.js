// The live inbox: messages of this person's threads appear and disappear without reload.
// Messages arrive as the server-rendered partials/message.eta (one renderer for page and socket).
// After a reconnect the page asks for what it missed (messages:since) and shows each message once.
// README "Socket security model" and "Catch-up after a reconnect".
(function () {
  'use strict';
  // The compose box counts characters as the API does (code points: an emoji is one); the browser's
  // maxlength counts UTF-16 units, so it is only the outer bound.
  Array.prototype.forEach.call(document.querySelectorAll('[data-max-chars]'), function (input) {
    var max = Number(input.getAttribute('data-max-chars'));
    input.addEventListener('input', function () {
      var n = Array.from(input.value).length;
      input.setCustomValidity(n > max ? 'At most ' + max + ' characters (' + n + ' now)' : '');
    });
  });
  if (typeof io !== 'function') return;
  var me = document.body.getAttribute('data-person-id');
  var messages = document.getElementById('messages');
  var threads = document.getElementById('threads');
  var since = Number(document.body.getAttribute('data-rendered-at')) || Date.now();
  var seen = {};
  var socket = io({ transports: ['websocket', 'polling'], auth: { personId: me } });

  function csrfToken() {
    var input = document.querySelector('input[name="_csrf"]');
    return input ? input.value : '';
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fromHtml(html) {
    var template = document.createElement('template');
    template.innerHTML = html;
    var node = template.content.firstElementChild;
    node.querySelectorAll('input[name="_csrf"]').forEach(function (input) {
      input.setAttribute('value', csrfToken());
    });
    return node;
  }

  function showInThread(payload) {
    var m = payload.message;
    if (!messages || messages.getAttribute('data-thread-id') !== m.threadId) return;
    if (messages.querySelector('[data-message-id="' + CSS.escape(m.id) + '"]')) return;
    messages.appendChild(fromHtml(payload.html));
  }

  function showInInbox(payload) {
    var m = payload.message;
    if (!threads) return;
    var item = threads.querySelector('[data-thread-id="' + CSS.escape(m.threadId) + '"]');
    if (!item) {
      item = el('li', 'thread');
      item.setAttribute('data-thread-id', m.threadId);
      var a = el('a');
      a.href = '/threads/' + encodeURIComponent(m.threadId);
      a.appendChild(el('strong', 'thread-title', payload.threadTitle));
      var mark = el('span', 'unread-mark', '');
      mark.hidden = true;
      a.appendChild(mark);
      a.appendChild(el('br'));
      a.appendChild(el('small', 'preview', ''));
      item.appendChild(a);
    }
    item.querySelector('.preview').textContent = m.text;
    if (m.senderId !== me) {
      item.classList.add('unread');
      var unread = item.querySelector('.unread-mark');
      var count = (parseInt(unread.textContent, 10) || 0) + 1;
      unread.textContent = count + ' new';
      unread.hidden = false;
    }
    threads.insertBefore(item, threads.firstChild);
  }

  function onCreated(payload) {
    var m = payload.message;
    if (seen[m.id]) return;
    seen[m.id] = true;
    if (m.createdAt > since) since = m.createdAt;
    showInThread(payload);
    showInInbox(payload);
  }

  // Live messages that arrive while a catch-up is answered wait for it, so the page keeps time order.
  var held = null;
  // Counts disconnects: a catch-up answered (or failed) after one no longer speaks for the page.
  var connections = 0;

  function catchUp() {
    var query = { since: since };
    if (messages) {
      query.threadId = messages.getAttribute('data-thread-id');
      // Deletions missed during the gap: the server answers which of these are gone.
      query.shown = Array.prototype.map
        .call(messages.querySelectorAll('[data-message-id]'), function (node) {
          return node.getAttribute('data-message-id');
        })
        .slice(-1000);
    }
    held = held || [];
    var connection = connections;
    socket.timeout(10000).emit('messages:since', query, function (err, answer) {
      // Overtaken by a disconnect (its ack fails then): the next connection's catch-up decides.
      if (connection !== connections) return;
      var more = !err && answer && answer.messages && answer.more;
      if (!err && answer && answer.gone) answer.gone.forEach(removeMessage);
      if (!err && answer && answer.messages) answer.messages.forEach(onCreated);
      if (more) return catchUp();
      var live = held || [];
      held = null;
      live.forEach(onCreated);
    });
  }

  function loggedOut() {
    socket.disconnect();
    var notice = document.getElementById('session-ended');
    if (notice) notice.hidden = false;
    document.body.setAttribute('data-session-ended', 'true');
  }

  // Every (re)connection asks what it missed: a recovered one has been replayed the broadcasts
  // already (connection-state recovery), a new one after a long gap or a restart has not; either
  // way each message id is shown once.
  socket.on('connect', catchUp);
  socket.on('connect_error', function (err) {
    if (err && (err.message === 'login required' || err.message === 'session_changed')) loggedOut();
  });
  socket.on('session:ended', loggedOut);
  socket.on('disconnect', function (reason) {
    // From now until the next catch-up is answered, live messages wait: a recovered connection replays
    // what it kept before its 'connect' fires, and a replayed message must neither move `since` past
    // older ones the catch-up has yet to bring nor show before them.
    held = held || [];
    connections++;
    if (reason === 'io server disconnect') loggedOut();
  });
  socket.on('message:created', function (payload) {
    if (held) held.push(payload);
    else onCreated(payload);
  });
  function removeMessage(messageId) {
    var node = document.querySelector('[data-message-id="' + CSS.escape(messageId) + '"]');
    if (node) node.remove();
  }
  socket.on('message:deleted', function (payload) {
    removeMessage(payload.messageId);
  });
})();
