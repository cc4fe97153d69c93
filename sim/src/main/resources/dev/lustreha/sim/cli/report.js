// The page of a lustre-ha run (HtmlReport): everything is drawn already; this links each handover's
// bar to its table row (hover either one) and copies the replay command. No network, no library.
(function () {
  'use strict';
  function byExecution(name) {
    return document.querySelectorAll('[data-execution="' + CSS.escape(name) + '"]');
  }
  function highlight(name, on) {
    byExecution(name).forEach(function (el) { el.classList.toggle('hl', on); });
  }
  document.querySelectorAll('[data-execution]').forEach(function (el) {
    var name = el.getAttribute('data-execution');
    el.addEventListener('mouseenter', function () { highlight(name, true); });
    el.addEventListener('mouseleave', function () { highlight(name, false); });
    el.addEventListener('click', function () {
      var other = Array.prototype.find.call(byExecution(name), function (x) { return x !== el; });
      if (other && other.scrollIntoView) { other.scrollIntoView({ block: 'center', behavior: 'smooth' }); }
    });
  });

  var button = document.getElementById('copy-replay');
  var command = document.getElementById('replay');
  if (button && command) {
    button.addEventListener('click', function () {
      var text = command.textContent;
      var done = function () {
        var copied = document.getElementById('copied');
        copied.hidden = false;
        setTimeout(function () { copied.hidden = true; }, 1500);
      };
      // The clipboard API needs a secure context; a page opened from a file may not be one: select
      // the command instead, for the reader to copy.
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { select(command); });
      } else {
        select(command);
      }
    });
  }
  function select(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // The report's own numbers, for the browser's console: lustreHaReport.handovers, ...
  var data = document.getElementById('report-data');
  if (data) {
    window.lustreHaReport = JSON.parse(data.textContent);
  }
}());
