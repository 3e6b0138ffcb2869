// swarmsim visualizer: replays a run's tasks on its nodes (no network, no libraries).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("run-data").textContent);
  var states = data.states;
  var RUNNING = states.indexOf("running");
  var PENDING = states.indexOf("pending");
  var READY = states.indexOf("ready");
  var slider = document.getElementById("time");
  var clock = document.getElementById("clock");
  var playButton = document.getElementById("play");
  var speedSelect = document.getElementById("speed");
  var cluster = document.getElementById("cluster");
  var pendingBox = document.getElementById("pending");
  var markBox = document.getElementById("mark");
  var playing = false;
  var lastFrame = null;
  var current = data.end;

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  // index of the last change at or before t (-1 if none)
  function lastAt(changes, t) {
    var lo = 0, hi = changes.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (changes[mid][0] <= t) { lo = mid + 1; } else { hi = mid; }
    }
    return lo - 1;
  }

  function fmtClock(s) {
    var whole = Math.floor(s), h = Math.floor(whole / 3600), m = Math.floor(whole % 3600 / 60);
    var sec = whole % 60, tenth = Math.floor((s - whole) * 10);
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (sec < 10 ? "0" : "") + sec + "." + tenth;
  }

  function fmtMemory(bytes) {
    var gib = bytes / 1073741824;
    return gib >= 1 ? gib.toFixed(1) + " GiB" : (bytes / 1048576).toFixed(0) + " MiB";
  }

  // what the page shows at time t: per node index, the visible tasks; plus pending count
  function stateAt(t) {
    var perNode = data.nodes.map(function () { return []; });
    var pending = 0;
    data.tasks.forEach(function (task) {
      if (task.deleted !== null && task.deleted <= t) { return; }
      var k = lastAt(task.changes, t);
      if (k < 0) { return; }
      var c = task.changes[k];
      if (c[1] >= 0 && c[3] === RUNNING) {
        perNode[c[1]].push({task: task, state: states[c[2]], actual: c[4] === 1});
      } else if (c[1] < 0 && c[2] <= PENDING && c[3] >= READY && c[3] <= RUNNING) {
        pending += 1;
      }
    });
    return {perNode: perNode, pending: pending};
  }

  function render(t) {
    current = Math.min(Math.max(t, data.start), data.end);
    var view = stateAt(current);
    var parts = [];
    data.nodes.forEach(function (node, i) {
      var k = lastAt(node.changes, current);
      if (k < 0) { return; }
      var c = node.changes[k];
      if (!c[5]) { return; }
      var status = c[2], availability = c[3], alive = c[4] === 1;
      parts.push('<div class="node" data-node="' + esc(node.name) + '" data-state="' +
        esc(status) + '" data-availability="' + esc(availability) + '" data-alive="' +
        (alive ? "1" : "0") + '"><div class="node-meta"><span class="name">' +
        esc(node.name) + '</span><br>' + esc(c[1]) + '<br>' + node.cpus + ' CPU &middot; ' +
        fmtMemory(node.memory) + '<br><span class="status">' + esc(status) +
        (alive ? "" : " (machine off)") + ' / ' + esc(availability) +
        '</span></div><div class="node-content">');
      view.perNode[i].sort(function (a, b) {
        return a.task.name < b.task.name ? -1 : (a.task.name > b.task.name ? 1 : 0);
      });
      view.perNode[i].forEach(function (box) {
        var svc = data.services[box.task.service];
        parts.push('<div class="task" data-task="' + esc(box.task.id) + '" data-state="' +
          esc(box.state) + '" data-alive="' + (box.actual ? "1" : "0") +
          '" style="border-color:' + esc(svc.color) + '"><span class="svc">' + esc(svc.name) +
          '</span><br><span class="tname">' + esc(box.task.name) + '</span>' +
          '<br><span class="state">' + esc(box.state) +
          (box.actual || box.state !== "running" ? "" : " (container dead)") + '</span></div>');
      });
      parts.push("</div></div>");
    });
    cluster.innerHTML = parts.join("");
    pendingBox.textContent = view.pending ? view.pending + " task(s) pending, on no node" : "";
    slider.value = String(current);
    clock.textContent = "t = " + fmtClock(current) + " (" + current.toFixed(1) + " s of " +
      data.end.toFixed(0) + " s)";
    var mark = null;
    data.marks.forEach(function (m) { if (m[0] <= current) { mark = m; } });
    markBox.textContent = mark ? "last disturbance: " + mark[1] + " at " + fmtClock(mark[0]) : "";
  }

  // number of task boxes per node at the time shown (for checks)
  function counts() {
    var out = {};
    Array.prototype.forEach.call(cluster.querySelectorAll(".node"), function (el) {
      out[el.getAttribute("data-node")] = el.querySelectorAll(".task").length;
    });
    return out;
  }

  function frame(now) {
    if (!playing) { return; }
    if (lastFrame !== null) {
      var step = (now - lastFrame) / 1000 * Number(speedSelect.value);
      render(current + step);
      if (current >= data.end) { stop(); return; }
    }
    lastFrame = now;
    window.requestAnimationFrame(frame);
  }

  function stop() {
    playing = false;
    lastFrame = null;
    playButton.textContent = "Play";
  }

  playButton.addEventListener("click", function () {
    if (playing) { stop(); return; }
    if (current >= data.end) { render(data.start); }
    playing = true;
    playButton.textContent = "Pause";
    window.requestAnimationFrame(frame);
  });
  slider.addEventListener("input", function () { stop(); render(Number(slider.value)); });
  document.getElementById("prev").addEventListener("click", function () {
    var target = data.start;
    data.marks.forEach(function (m) { if (m[0] < current - 1e-9) { target = m[0]; } });
    stop();
    render(target);
  });
  document.getElementById("next").addEventListener("click", function () {
    var target = data.end;
    for (var i = data.marks.length - 1; i >= 0; i--) {
      if (data.marks[i][0] > current + 1e-9) { target = data.marks[i][0]; }
    }
    stop();
    render(target);
  });

  var compact = document.getElementById("compact");
  compact.addEventListener("change", function () {
    document.body.classList.toggle("compact", compact.checked);
  });
  compact.checked = data.nodes.length > 40;  // many nodes: small columns, one-line boxes
  document.body.classList.toggle("compact", compact.checked);
  slider.min = String(data.start);
  slider.max = String(data.end);
  document.getElementById("legend").innerHTML = data.services.map(function (s) {
    return '<span class="key" style="border-color:' + esc(s.color) + '">' + esc(s.name) +
      "</span>";
  }).join(" ");
  window.swarmsimViz = {render: render, counts: counts, data: data};

  // Live mode: `visualizer.html?live=ADDRESS` (and the page `swarmsim serve --visualizer`
  // serves) polls ADDRESS/live.json, the served swarm now, and draws each answer with the
  // replay's columns and boxes: a one-instant run (every node and task has one change).
  var params = new URLSearchParams(window.location.search);
  var liveFrom = params.get("live") || data.live || null;
  if (liveFrom === null) {
    render(data.end);
    return;
  }
  var liveUrl = (liveFrom === "." ? "" : liveFrom.replace(/\/+$/, "") + "/") + "live.json";
  var PERIOD = Number(params.get("period")) || 500;
  ["play", "prev", "next", "time"].forEach(function (id) {
    document.getElementById(id).style.display = "none";
  });
  speedSelect.parentNode.style.display = "none";

  function fromLive(snap) {
    var serviceIndex = {};
    snap.services.forEach(function (s, i) { serviceIndex[s.name] = i; });
    var t = snap.time, tasks = [];
    var nodes = snap.nodes.map(function (n, i) {
      n.tasks.forEach(function (task) {
        tasks.push({id: task.id, name: task.name, service: serviceIndex[task.service] || 0,
          deleted: null, changes: [[t, i, states.indexOf(task.state), RUNNING, 1]]});
      });
      return {name: n.name, cpus: n.cpus, memory: n.memory,
        changes: [[t, n.role, n.status, n.availability, n.alive ? 1 : 0, 1]]};
    });
    for (var k = 0; k < snap.pending; k++) {
      tasks.push({id: "pending-" + k, name: "", service: 0, deleted: null,
        changes: [[t, -1, PENDING, RUNNING, 1]]});
    }
    return {name: snap.name, start: t, end: t, states: states, services: snap.services,
      nodes: nodes, tasks: tasks, marks: [], live: liveFrom};
  }

  function poll() {
    window.fetch(liveUrl, {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (snap) {
        var first = data.nodes.length === 0;
        data = fromLive(snap);
        window.swarmsimViz.data = data;
        if (first) {
          compact.checked = data.nodes.length > 40;
          document.body.classList.toggle("compact", compact.checked);
        }
        document.getElementById("legend").innerHTML = data.services.map(function (s) {
          return '<span class="key" style="border-color:' + esc(s.color) + '">' +
            esc(s.name) + "</span>";
        }).join(" ");
        render(data.end);
        clock.textContent = "live: t = " + fmtClock(data.end);
        document.body.setAttribute("data-updated", String(data.end));
      })
      .catch(function () { clock.textContent = "live: " + liveUrl + " does not answer"; })
      .then(function () { window.setTimeout(poll, PERIOD); });
  }
  clock.textContent = "live: connecting to " + liveUrl;
  poll();
}());
