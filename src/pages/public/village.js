// Village page: tap a cell to see its detail; refresh the live part every minute without
// losing the scroll position or the open detail. No inline script (CSP script-src 'self').
(function () {
  'use strict';
  var REFRESH_MS = 60000;
  var openId = null;

  function showPanel(id) {
    var panels = document.querySelectorAll('.panel');
    for (var i = 0; i < panels.length; i++) panels[i].hidden = panels[i].id !== id;
    var cells = document.querySelectorAll('td.selected');
    for (var j = 0; j < cells.length; j++) cells[j].classList.remove('selected');
    var button = document.querySelector('[data-cell="' + id + '"]');
    if (button) button.parentElement.classList.add('selected');
    openId = id;
  }

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target.closest('[data-cell]') : null;
    if (target) {
      var id = target.getAttribute('data-cell');
      showPanel(id);
      var panel = document.getElementById(id);
      if (panel) panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      return;
    }
    if (event.target instanceof Element && event.target.closest('[data-refresh-now]')) {
      event.preventDefault();
      refresh();
    }
  });

  function refresh() {
    fetch(window.location.href, { cache: 'no-store', credentials: 'same-origin' })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html').getElementById('live');
        var live = document.getElementById('live');
        if (!next || !live) return;
        var scrolls = {};
        live.querySelectorAll('[data-scroll]').forEach(function (el) {
          scrolls[el.getAttribute('data-scroll')] = el.scrollLeft;
        });
        var pageY = window.scrollY;
        live.replaceChildren.apply(
          live,
          Array.prototype.slice.call(next.childNodes).map(function (n) {
            return document.importNode(n, true);
          }),
        );
        live.querySelectorAll('[data-scroll]').forEach(function (el) {
          var left = scrolls[el.getAttribute('data-scroll')];
          if (left) el.scrollLeft = left;
        });
        if (openId) showPanel(openId);
        window.scrollTo(0, pageY);
      })
      .catch(function () {
        /* offline or server busy: keep what is shown, try again later */
      });
  }

  // Start with the current shift in view when the grid is wider than the phone.
  document.querySelectorAll('.scroll').forEach(function (el) {
    var current = el.querySelector('th.current');
    var gateColumn = el.querySelector('.gate-col');
    if (current) el.scrollLeft = Math.max(0, current.offsetLeft - (gateColumn ? gateColumn.offsetWidth : 0));
  });
  setInterval(function () {
    if (document.visibilityState === 'visible') refresh();
  }, REFRESH_MS);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') refresh();
  });
})();
