// swarmsim live visualizer: polls a running `swarmsim serve` and draws its swarm as
// dockersamples/visualizer does: nodes as columns, the tasks they should run as boxes.
(function () {
  "use strict";
  var cluster = document.getElementById("cluster");
  var clock = document.getElementById("clock");
  var legend = document.getElementById("legend");
  var pendingBox = document.getElementById("pending");
  var period = Number(document.body.getAttribute("data-period")) || 500;

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function fmtClock(s) {
    var whole = Math.floor(s), h = Math.floor(whole / 3600), m = Math.floor(whole % 3600 / 60);
    var sec = whole % 60;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (sec < 10 ? "0" : "") + sec;
  }

  function fmtMemory(bytes) {
    var gib = bytes / 1073741824;
    return gib >= 1 ? gib.toFixed(1) + " GiB" : (bytes / 1048576).toFixed(0) + " MiB";
  }

  function draw(data) {
    var colors = {};
    legend.innerHTML = data.services.map(function (s) {
      colors[s.name] = s.color;
      return '<span class="key" style="border-color:' + esc(s.color) + '">' +
        esc(s.name) + "</span>";
    }).join("");
    var parts = [];
    data.nodes.forEach(function (node) {
      parts.push('<div class="node" data-node="' + esc(node.name) + '" data-state="' +
        esc(node.status) + '" data-availability="' + esc(node.availability) +
        '" data-alive="1"><div class="node-meta"><span class="name">' + esc(node.name) +
        "</span><br>" + esc(node.role) + "<br>" + node.cpus + " CPU &middot; " +
        fmtMemory(node.memory) + '<br><span class="status">' + esc(node.status) + " / " +
        esc(node.availability) + '</span></div><div class="node-content">');
      node.tasks.forEach(function (t) {
        parts.push('<div class="task" data-task="' + esc(t.id) + '" data-state="' +
          esc(t.state) + '" data-alive="1" style="border-color:' +
          esc(colors[t.service] || "#888") + '"><span class="svc">' + esc(t.service) +
          '</span><br><span class="tname">' + esc(t.name) + '</span><br><span class="state">' +
          esc(t.state) + "</span></div>");
      });
      parts.push("</div></div>");
    });
    cluster.innerHTML = parts.join("");
    pendingBox.textContent = data.pending ? data.pending + " task(s) pending, on no node" : "";
    clock.textContent = "live: t = " + fmtClock(data.time);
    document.body.setAttribute("data-updated", String(data.time));
  }

  function poll() {
    fetch("live.json", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(draw)
      .catch(function () { clock.textContent = "live: the server does not answer"; })
      .then(function () { window.setTimeout(poll, period); });
  }
  poll();
}());
