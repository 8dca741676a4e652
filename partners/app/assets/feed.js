// The live feed: server-sent events relayed by this app from its Glasshouse `/partners` socket.
(function () {
  'use strict';
  var list = document.getElementById('feed');
  var badge = document.getElementById('feed-status');
  if (!list || typeof EventSource !== 'function') return;
  var source = new EventSource('/events');

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function setLive(live) {
    badge.setAttribute('data-live', String(live));
    badge.textContent = live ? 'live' : 'reconnecting…';
  }

  source.addEventListener('status', function (e) {
    setLive(JSON.parse(e.data).live);
  });
  source.addEventListener('message', function (e) {
    var m = JSON.parse(e.data);
    var empty = list.querySelector('.empty');
    if (empty) empty.remove();
    var li = el('li', 'fresh' + (m.mine ? ' mine' : ''));
    li.setAttribute('data-message-id', m.id);
    var meta = el('div', 'meta');
    meta.appendChild(el('strong', '', m.mine ? 'You' : m.senderName));
    var link = el('a', '', 'open thread');
    link.href = '/seen/threads/' + encodeURIComponent(m.threadId);
    meta.appendChild(link);
    meta.appendChild(el('time', '', new Date(m.createdAt).toTimeString().slice(0, 5)));
    li.appendChild(meta);
    li.appendChild(el('p', 'text', m.text));
    if (m.nowPlaying) {
      var card = el('p', 'np-card');
      card.appendChild(el('span', '', 'Now playing ' + m.nowPlaying.kind));
      card.appendChild(el('strong', '', m.nowPlaying.title));
      if (m.nowPlaying.artist) card.appendChild(document.createTextNode(' — ' + m.nowPlaying.artist));
      li.appendChild(card);
    }
    list.insertBefore(li, list.firstChild);
  });
  source.addEventListener('deleted', function (e) {
    var d = JSON.parse(e.data);
    var node = list.querySelector('[data-message-id="' + CSS.escape(d.messageId) + '"]');
    if (node) node.classList.add('gone');
  });
  source.addEventListener('ended', function (e) {
    source.close();
    window.location.href = JSON.parse(e.data).redirect;
  });
  source.onerror = function () {
    setLive(false);
  };
})();
