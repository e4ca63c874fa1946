// Planner console: send picked or dropped files to the console's upload endpoint (bytes as
// they are, with the file's type, plus the session's CSRF token), and follow a solve's progress.
(function () {
  'use strict';
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var lang = new URLSearchParams(window.location.search).get('lang');

  function typeOf(file) {
    var name = file.name.toLowerCase();
    if (name.endsWith('.xlsx')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    if (name.endsWith('.json')) return 'application/json';
    if (name.endsWith('.csv')) return 'text/csv';
    return file.type || 'application/octet-stream';
  }

  function upload(entity, file) {
    var result = document.querySelector('[data-upload-result="' + entity + '"]');
    var replace = document.querySelector('[data-replace="' + entity + '"]');
    result.textContent = '…';
    var url = '/planner/upload/' + entity + '?replace=' + (replace && replace.checked ? '1' : '0') + (lang ? '&lang=' + encodeURIComponent(lang) : '');
    fetch(url, { method: 'PUT', body: file, credentials: 'same-origin', headers: { 'Content-Type': typeOf(file), 'X-CSRF-Token': csrf } })
      .then(function (response) {
        return response.text();
      })
      // The fragment is rendered by the server's auto-escaping templates.
      .then(function (html) {
        result.innerHTML = html;
      })
      .catch(function (error) {
        result.textContent = String(error);
      });
  }

  document.querySelectorAll('[data-upload]').forEach(function (box) {
    var entity = box.getAttribute('data-upload');
    var input = box.querySelector('input[type=file]');
    var drop = box.querySelector('.drop');
    input.addEventListener('change', function () {
      if (input.files && input.files[0]) upload(entity, input.files[0]);
      // Picking the same (corrected) file again must upload again.
      input.value = '';
    });
    drop.addEventListener('dragover', function (event) {
      event.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', function () {
      drop.classList.remove('over');
    });
    drop.addEventListener('drop', function (event) {
      event.preventDefault();
      drop.classList.remove('over');
      var file = event.dataTransfer && event.dataTransfer.files[0];
      if (file) upload(entity, file);
    });
  });

  // Copy buttons: the Clipboard API needs a secure context (https or localhost); on a plain
  // http LAN address it is missing, so fall back to selecting the text and execCommand.
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var input = button.parentNode.querySelector('input');
      var done = function () {
        button.textContent = '✓';
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          input.select();
          document.execCommand('copy');
          done();
        });
      } else {
        input.select();
        document.execCommand('copy');
        done();
      }
    });
  });
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () {
      window.print();
    });
  });

  var solve = document.querySelector('[data-solve]');
  if (solve) {
    // The bar only moves forward (a phase may report a smaller fraction than the last one);
    // the estimate is the time so far scaled by what is left, once there is enough to go on.
    var shown = Number(solve.querySelector('[data-solve-progress]').value) || 0;
    var elapsedEl = solve.querySelector('[data-solve-elapsed]');
    var estimateEl = solve.querySelector('[data-solve-estimate]');
    var elapsed = Number(elapsedEl.getAttribute('data-elapsed-seconds')) || 0;
    // The units come with the page, in its language, as the labels do.
    var minutes = solve.getAttribute('data-unit-minutes');
    var seconds = solve.getAttribute('data-unit-seconds');
    var duration = function (s) {
      s = Math.max(0, Math.round(s));
      var m = Math.floor(s / 60);
      var r = s % 60;
      return m ? m + ' ' + minutes + ' ' + r + ' ' + seconds : r + ' ' + seconds;
    };
    var render = function () {
      elapsedEl.textContent = elapsedEl.getAttribute('data-label').replace('{t}', duration(elapsed));
      var f = shown / 100;
      estimateEl.textContent =
        f >= 0.1 && f < 1 && elapsed >= 2 ? '· ' + estimateEl.getAttribute('data-label').replace('{t}', duration((elapsed * (1 - f)) / f)) : '';
    };
    render();
    setInterval(function () {
      elapsed += 1;
      render();
    }, 1000);
    var poll = function () {
      fetch(solve.getAttribute('data-status-url'), { cache: 'no-store', credentials: 'same-origin' })
        .then(function (response) {
          return response.json();
        })
        .then(function (job) {
          solve.querySelector('[data-solve-phase]').textContent = job.phaseLabel;
          solve.querySelector('[data-solve-status]').textContent = job.statusLabel;
          shown = Math.max(shown, Math.round(100 * (job.progress ? job.progress.fraction : 0)));
          solve.querySelector('[data-solve-progress]').value = shown;
          solve.querySelector('[data-solve-percent]').textContent = shown + '%';
          if (typeof job.elapsedSeconds === 'number') elapsed = job.elapsedSeconds;
          render();
          if (job.status === 'done') {
            window.location.assign(solve.getAttribute('data-done-url'));
            return;
          }
          if (job.status === 'failed') {
            var error = solve.querySelector('[data-solve-error]');
            error.textContent = job.error || job.statusLabel;
            error.hidden = false;
            return;
          }
          setTimeout(poll, 700);
        })
        .catch(function () {
          setTimeout(poll, 2000);
        });
    };
    poll();
  }
})();
