// The player: advances in real time (play, pause, next; elapsed/duration). When an item STARTS
// (not on resume), it asks the server to send "now playing" to the chosen friends (POST /play).
// Ticking a friend saves the choice at once (POST /share, JSON); a play waits for that save, so
// what the player reports always matches the ticks.
(function () {
  'use strict';
  var items = Array.prototype.slice.call(document.querySelectorAll('#catalogue .item'));
  if (!items.length) return;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var $ = function (id) {
    return document.getElementById(id);
  };
  var state = { index: -1, elapsed: 0, playing: false, timer: null, lastTick: 0 };

  function clock(sec) {
    sec = Math.max(0, Math.floor(sec));
    var h = Math.floor(sec / 3600),
      m = Math.floor((sec % 3600) / 60),
      s = sec % 60;
    var mmss = m + ':' + (s < 10 ? '0' : '') + s;
    return h ? h + ':' + (m < 10 ? '0' : '') + mmss : mmss;
  }
  function current() {
    return items[state.index];
  }
  function duration() {
    return current() ? Number(current().getAttribute('data-duration')) : 0;
  }

  function render() {
    var item = current();
    items.forEach(function (li, i) {
      li.classList.toggle('playing', i === state.index);
    });
    $('np-title').textContent = item ? item.getAttribute('data-title') : 'Pick something to play';
    $('np-artist').textContent = item ? item.getAttribute('data-artist') : '\u00a0';
    $('np-elapsed').textContent = clock(state.elapsed);
    $('np-duration').textContent = clock(duration());
    $('np-progress').value = duration() ? state.elapsed / duration() : 0;
    $('btn-play').disabled = state.playing;
    $('btn-pause').disabled = !state.playing;
  }

  function status(text) {
    $('np-status').textContent = text;
  }

  // The latest save of the share list; plays chain on it.
  var saved = Promise.resolve(true);
  var form = $('share-form');
  function saveShare() {
    var body = new URLSearchParams();
    Array.prototype.forEach.call(form.querySelectorAll('input[name="friend"]:checked'), function (box) {
      body.append('friend', box.value);
    });
    var note = $('share-status');
    note.textContent = 'Saving…';
    note.className = 'small-text muted';
    saved = saved
      .then(function () {
        return fetch('/share', {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            'x-csrf-token': csrf,
          },
          body: body.toString(),
        });
      })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (r) {
        note.textContent = r.shareWith.length
          ? 'Saved: each play is sent to ' + r.shareWith.join(', ') + '.'
          : 'Saved: plays are not shared.';
        note.className = 'small-text saved';
        return true;
      })
      .catch(function () {
        note.textContent = 'Could not save your choice: reload the page and tick again.';
        note.className = 'small-text error';
        return false;
      });
  }
  if (form) {
    form.addEventListener('change', saveShare);
    var save = $('share-save');
    if (save) save.hidden = true;
  }

  function announce(item) {
    status('Sharing…');
    saved
      .then(function () {
        return fetch('/play', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify({ itemId: item.getAttribute('data-item-id') }),
        });
      })
      .then(function (res) {
        return res.json().then(function (body) {
          return { res: res, body: body };
        });
      })
      .then(function (r) {
        if (r.body.redirect && !r.res.ok) {
          window.location.href = r.body.redirect;
          return;
        }
        if (!r.res.ok) {
          status(r.body.detail || r.body.message || 'Could not share.');
          return;
        }
        var parts = [];
        if (r.body.sent.length) parts.push('Sent “now playing” to ' + r.body.sent.join(', ') + '.');
        else if (!r.body.failed.length)
          parts.push(
            'Not shared with anyone: tick a friend under “Share “now playing” with” (it saves at once), then play again.',
          );
        r.body.failed.forEach(function (f) {
          parts.push('Not sent to ' + f.name + ': ' + f.reason);
        });
        status(parts.join(' '));
      })
      .catch(function () {
        status('Could not reach the server.');
      });
  }

  function tick() {
    var now = Date.now();
    state.elapsed += (now - state.lastTick) / 1000;
    state.lastTick = now;
    if (state.elapsed >= duration()) {
      next();
      return;
    }
    render();
  }

  function start(index) {
    state.index = (index + items.length) % items.length;
    state.elapsed = 0;
    resume();
    announce(current());
  }
  function resume() {
    if (state.index < 0) {
      start(0);
      return;
    }
    clearInterval(state.timer);
    state.playing = true;
    state.lastTick = Date.now();
    state.timer = setInterval(tick, 250);
    render();
  }
  function pause() {
    clearInterval(state.timer);
    if (state.playing) tick();
    state.playing = false;
    render();
  }
  function next() {
    start(state.index + 1);
  }

  $('btn-play').addEventListener('click', resume);
  $('btn-pause').addEventListener('click', pause);
  $('btn-next').addEventListener('click', next);
  items.forEach(function (li, i) {
    li.querySelector('.play-item').addEventListener('click', function () {
      start(i);
    });
  });
  render();
})();
