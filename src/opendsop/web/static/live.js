// Live progress for any element with data-events="<url>": the server sends events whose data is JSON
// {"id": ..., "text": ..., "state": ...}; the element with id "live-<id>" gets the text and the class
// "status-<state>".  The "done" event reloads the page, which then shows the finished results.
// Without JavaScript the page still works: it refreshes itself (a plain link) and shows what is recorded.
(function () {
  "use strict";
  var hosts = document.querySelectorAll("[data-events]");
  if (!window.EventSource) { return; }
  Array.prototype.forEach.call(hosts, function (host) {
    var source = new EventSource(host.getAttribute("data-events"));
    source.onmessage = function (event) {
      var update = JSON.parse(event.data);
      var cell = document.getElementById("live-" + update.id);
      if (cell) {
        cell.textContent = update.text;
        cell.className = "status status-" + update.state;
      }
    };
    source.addEventListener("done", function () {
      source.close();
      window.location.reload();
    });
    source.onerror = function () { source.close(); };
  });
})();
