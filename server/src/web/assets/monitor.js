// The live data-flow monitor: a sequence view fed by the /monitor socket.io namespace.
// Runs after every script of the page (the layout loads socket.io last for logged-in people).
document.addEventListener('DOMContentLoaded', function () {
  'use strict';
  var data = JSON.parse(document.getElementById('monitor-data').textContent);
  var root = document.getElementById('sequence');
  var statusLine = document.getElementById('monitor-status');
  var filterClient = document.getElementById('filter-client');
  var filterPerson = document.getElementById('filter-person');
  var pauseButton = document.getElementById('pause');
  var actors = ['Browser', 'Glasshouse'].concat(
    data.clients.map(function (c) {
      return c.name;
    }),
  );
  var names = {};
  data.people.forEach(function (p) {
    names[p.id] = p.name;
  });
  var events = [];
  var paused = false;
  var queued = [];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  // Adds the event's actors as columns; true when a column was added (the view must be redrawn).
  function learnActors(e) {
    var added = false;
    [e.from, e.to].forEach(function (name) {
      if (actors.indexOf(name) === -1) {
        actors.push(name);
        added = true;
      }
    });
    return added;
  }
  function visible(e) {
    if (filterClient.value && e.clientId !== filterClient.value) return false;
    if (filterPerson.value) {
      var people = (e.details.people || []).map(function (p) {
        return p.id;
      });
      if (e.personId !== filterPerson.value && people.indexOf(filterPerson.value) === -1) return false;
    }
    return true;
  }
  function details(e) {
    var box = el('div', 'seq-details');
    var dl = el('dl');
    function row(label, value) {
      if (value === undefined || value === null || value === '') return;
      dl.appendChild(el('dt', '', label));
      var dd = el('dd');
      if (value instanceof Node) dd.appendChild(value);
      else dd.textContent = String(value);
      dl.appendChild(dd);
    }
    var d = e.details;
    row('When', new Date(e.at).toLocaleTimeString());
    row('Step', d.step);
    row('Action', d.action);
    row('Scope used', d.scope || (d.scopes || []).join(' '));
    row('Operation', d.operation);
    row('Channel', d.channel);
    row('Policy', d.policy);
    row('On behalf of', e.personId ? names[e.personId] || e.personId : '');
    if (d.threads && d.threads.length)
      row(
        'Threads',
        d.threads
          .map(function (t) {
            return t.title + ' (' + t.id + ')';
          })
          .join(', '),
      );
    if (d.messages && d.messages.length) {
      var list = el('ul');
      d.messages.slice(0, 20).forEach(function (m) {
        list.appendChild(el('li', '', m.id + ': “' + m.snippet + '”'));
      });
      if (d.messages.length > 20) list.appendChild(el('li', '', '… ' + (d.messages.length - 20) + ' more'));
      row('Messages', list);
    }
    if (d.people && d.people.length) {
      var people = el('div');
      d.people.forEach(function (p) {
        people.appendChild(
          el('span', 'person' + (p.bystander ? ' bystander' : ''), p.name + (p.bystander ? ' — bystander' : '')),
        );
      });
      row('People included', people);
    }
    row('Note', d.note);
    box.appendChild(dl);
    return box;
  }
  function renderRow(e) {
    var from = actors.indexOf(e.from);
    var to = actors.indexOf(e.to);
    var bystanders = (e.details.people || []).filter(function (p) {
      return p.bystander;
    });
    var row = el('div', 'seq-row kind-' + e.kind + (bystanders.length ? ' has-bystanders' : ''));
    row.setAttribute('data-seq', e.seq);
    row.setAttribute('data-kind', e.kind);
    var lo = Math.min(from, to);
    var hi = Math.max(from, to);
    var arrow = el('div', 'seq-arrow' + (to < from ? ' left' : ''));
    arrow.style.gridColumn = lo + 1 + ' / ' + (hi + 2);
    arrow.appendChild(el('span', 'seq-label', e.label));
    if (bystanders.length) {
      arrow.appendChild(document.createTextNode(' '));
      arrow.appendChild(
        el(
          'span',
          'bystander-chip',
          'bystanders: ' +
            bystanders
              .map(function (p) {
                return p.name;
              })
              .join(', '),
        ),
      );
    }
    arrow.appendChild(el('div', 'seq-time', new Date(e.at).toLocaleTimeString()));
    row.appendChild(arrow);
    row.addEventListener('click', function (ev) {
      if (ev.target.closest('.seq-details')) return;
      var open = row.querySelector('.seq-details');
      if (open) open.remove();
      else row.appendChild(details(e));
    });
    return row;
  }
  function renderHeader() {
    var header = el('div', 'seq-header');
    actors.forEach(function (a) {
      header.appendChild(el('div', '', a));
    });
    return header;
  }
  function renderAll() {
    events.forEach(learnActors);
    root.style.setProperty('--cols', actors.length);
    root.textContent = '';
    root.appendChild(renderHeader());
    events.filter(visible).forEach(function (e) {
      root.appendChild(renderRow(e));
    });
  }
  function add(e) {
    if (paused) {
      queued.push(e);
      pauseButton.textContent = 'Resume (' + queued.length + ')';
      return;
    }
    events.push(e);
    if (learnActors(e)) renderAll();
    else if (visible(e)) root.appendChild(renderRow(e));
  }

  filterClient.addEventListener('change', renderAll);
  filterPerson.addEventListener('change', renderAll);
  pauseButton.addEventListener('click', function () {
    paused = !paused;
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    statusLine.textContent = paused ? 'Paused: new events wait.' : 'Live.';
    if (!paused) {
      var q = queued;
      queued = [];
      q.forEach(add);
    }
  });
  document.getElementById('clear').addEventListener('click', function () {
    events = [];
    queued = [];
    renderAll();
  });
  document.getElementById('import').addEventListener('change', function (ev) {
    var file = ev.target.files[0];
    if (!file) return;
    file
      .text()
      .then(function (text) {
        return fetch('/monitor/import', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'x-csrf-token': root.getAttribute('data-csrf') },
          body: text,
        });
      })
      .then(function (res) {
        if (!res.ok)
          return res.json().then(function (p) {
            throw new Error(p.detail || 'import failed');
          });
        return res.json();
      })
      .then(function (log) {
        // Replay: the imported events appear one by one, as in class.
        events = [];
        renderAll();
        paused = false;
        statusLine.textContent = 'Replaying ' + log.events.length + ' imported events…';
        var i = 0;
        (function next() {
          if (i >= log.events.length) {
            statusLine.textContent = 'Replayed ' + log.events.length + ' imported events.';
            return;
          }
          add(log.events[i++]);
          setTimeout(next, 250);
        })();
      })
      .catch(function (err) {
        statusLine.textContent = 'Import failed: ' + err.message;
      });
  });

  renderAll();
  var socket = io('/monitor', { transports: ['websocket', 'polling'] });
  socket.on('connect', function () {
    statusLine.textContent = 'Live.';
  });
  socket.on('connect_error', function (err) {
    statusLine.textContent = 'Not connected: ' + err.message;
  });
  // The web session behind this page ended (logout, another login, expiry): README "Socket security model".
  socket.on('session:ended', function () {
    statusLine.textContent = 'Logged out: reload the page to watch again.';
  });
  socket.on('history', function (list) {
    events = [];
    list.forEach(function (e) {
      events.push(e);
    });
    renderAll();
  });
  socket.on('access', add);
});
