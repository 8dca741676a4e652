// The live inbox: messages of this person's threads appear and disappear without reload.
(function () {
  'use strict';
  if (typeof io !== 'function') return;
  var socket = io({ transports: ['websocket', 'polling'] });
  var messages = document.getElementById('messages');
  var threads = document.getElementById('threads');
  var me = document.body.getAttribute('data-person-id');

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderMessage(m) {
    var li = el('li', 'message' + (m.senderId === me ? ' mine' : ''));
    li.setAttribute('data-message-id', m.id);
    var meta = el('div', 'meta');
    meta.appendChild(el('strong', '', m.senderName));
    if (m.via) meta.appendChild(el('span', 'via', 'via ' + (m.viaName || m.via)));
    var time = el('time', '', new Date(m.createdAt).toISOString().slice(0, 16).replace('T', ' '));
    meta.appendChild(time);
    li.appendChild(meta);
    li.appendChild(el('p', 'text', m.text));
    if (m.nowPlaying) {
      var card = el('div', 'now-playing');
      card.setAttribute('data-kind', m.nowPlaying.kind);
      card.appendChild(el('span', 'np-label', 'Now playing ' + m.nowPlaying.kind));
      card.appendChild(el('strong', 'np-title', m.nowPlaying.title));
      if (m.nowPlaying.artist) card.appendChild(document.createTextNode(' — ' + m.nowPlaying.artist));
      li.appendChild(card);
    }
    return li;
  }

  socket.on('message:created', function (payload) {
    var m = payload.message;
    if (messages && messages.getAttribute('data-thread-id') === m.threadId) {
      if (!messages.querySelector('[data-message-id="' + CSS.escape(m.id) + '"]')) messages.appendChild(renderMessage(m));
    }
    if (threads) {
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
  });

  socket.on('message:deleted', function (payload) {
    var node = document.querySelector('[data-message-id="' + CSS.escape(payload.messageId) + '"]');
    if (node) node.remove();
  });
})();
