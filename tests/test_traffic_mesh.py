"""The routing mesh in whole simulations: a crash's timeout window, refused
connections, host-mode vs ingress ports, VIP vs DNS round robin, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.workload.records import OK, REFUSED, TIMEOUT
from swarmsim.workload.summary import traffic_document

NODES = """\
nodes:
  - name: myvm1
    role: manager
  - name: myvm2
  - name: myvm3
"""


def run(tmp_path, service: str, body: str, until: str = "60s", seed: int = 0):
    (tmp_path / "app.yml").write_text('version: "3.8"\nservices:\n' + service,
                                      encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        f"name: t\nseed: {seed}\nuntil: {until}\n{NODES}stacks: {{app: app.yml}}\n{body}",
        encoding="utf-8")
    return run_scenario(load_scenario(tmp_path / "s.yaml")).sim


WEB = """\
  web:
    image: example/web:1
    deploy:
      replicas: 3
    ports: ["4000:80"]
    x-swarmsim:
      request: {cost: 2ms, dist: constant}
"""


def test_crash_window_times_out_until_the_manager_notices(tmp_path):
    sim = run(tmp_path, WEB, """\
workload:
  - {name: w, port: 4000, entry: [myvm1], arrivals: {kind: constant, rate: 100}, start: 10s}
timeline:
  - {at: 30s, fail: myvm2}
""", until="60s")
    down = [e.time for e in sim.events
            if getattr(e, "kind", "") == "node" and e.node == "myvm2" and e.status == "down"]
    # 13.5-16.5 s after the last heartbeat, which came 0-5.5 s before the crash
    assert len(down) == 1 and 38.0 <= down[0] <= 46.5
    gone = down[0] + 2.0  # swarm's gossip delay
    cols = sim.traffic.records()
    tr = sim.traffic
    dead = [b.index for b in tr.backends if tr.machines[b.node] == "myvm2"]
    assert len(dead) == 1
    to_dead = cols.task == dead[0]
    window = (cols.send >= 30.0) & (cols.send < gone)
    # every connection the round robin gave the dead task in the window timed out...
    assert np.all(cols.outcome[to_dead & window] == TIMEOUT)
    assert np.count_nonzero(to_dead & window) == pytest.approx((gone - 30) * 100 / 3, abs=2)
    assert np.all(cols.latency[to_dead & window] == 5.0)
    # ...it got none after it left the balancer, and nothing else failed
    assert not np.any(to_dead & (cols.send >= gone))
    assert np.all(cols.outcome[~(to_dead & window)] == OK)
    assert np.all(cols.send[cols.outcome == TIMEOUT] >= 30.0 - 0.01)


def test_requests_queued_on_a_crashing_node_are_lost(tmp_path):
    # each task gets 2 requests/s of 1.2 s: its queue grows, and dies with its machine
    slow = WEB.replace("cost: 2ms, dist: constant", "cost: 1200ms, dist: constant, queue: 1000")
    sim = run(tmp_path, slow, """\
workload:
  - {name: w, port: 4000, entry: [myvm1], arrivals: {kind: constant, rate: 6}, start: 10s,
     timeout: 1m}
timeline:
  - {at: 20s, fail: myvm2}
""", until="40s")
    cols = sim.traffic.records()
    tr = sim.traffic
    dead = next(b.index for b in tr.backends if tr.machines[b.node] == "myvm2")
    to_dead = cols.task == dead
    queued = to_dead & (cols.send < 20.0) & (cols.outcome == TIMEOUT)
    assert np.count_nonzero(queued) >= 8  # about 10 s x 2/s sent, 1 answered per 1.2 s
    answered = to_dead & (cols.outcome == OK)
    assert np.all(cols.end[answered] <= 20.0)  # no answer came back after the crash
    assert np.count_nonzero(answered) == pytest.approx(10 / 1.2, abs=1)


def test_refused_while_no_task_is_in_the_balancer(tmp_path):
    sim = run(tmp_path, WEB, """\
workload:
  - {name: early, port: 4000, arrivals: {kind: constant, rate: 10}, start: 0s, stop: 20s}
  - {name: nobody, port: 5000, arrivals: {kind: constant, rate: 10}, start: 0s, stop: 20s}
timeline:
  - {at: 10s, run: "docker service scale app_web=0"}
""", until="30s")
    cols = sim.traffic.records()
    early = cols.workload == 0
    # tasks run from 3 s (pull 2 s, startup 1 s); scaled to 0 at 10 s they leave 2 s later
    first_ok = cols.send[early & (cols.outcome == OK)].min()
    assert 3.0 <= first_ok <= 3.2
    assert np.all(cols.outcome[early & (cols.send < 3.0)] == REFUSED)
    assert np.all(cols.outcome[early & (cols.send > 10.0) & (cols.send < 12.0)] == OK)
    assert np.all(cols.outcome[early & (cols.send >= 12.0)] == REFUSED)
    assert np.all(cols.outcome[cols.workload == 1] == REFUSED)  # no service publishes 5000
    doc = traffic_document(sim)
    assert doc["requests"]["nobody"]["refused"] == 200
    assert doc["requests"]["nobody"]["latency"]["p50"] is None
    assert set(doc["requests_by_service"]) == {"app_web"}


HOST = """\
  web:
    image: example/web:1
    deploy:
      replicas: 1
    ports:
      - {target: 80, published: 8080, mode: host}
    x-swarmsim:
      request: {cost: 20ms, dist: constant}
"""


@pytest.mark.parametrize("mode", ["host", "ingress"])
def test_host_mode_answers_only_on_the_task_node(tmp_path, mode):
    service = HOST.replace("mode: host", f"mode: {mode}")
    sim = run(tmp_path, service, """\
workload:
  - {name: w, port: 8080, arrivals: {kind: constant, rate: 30}, start: 10s}
""", until="40s")
    cols = sim.traffic.records()
    task_node = sim.traffic.backends[0].node
    assert len(sim.traffic.backends) == 1
    here = cols.entry == task_node
    assert np.all(cols.outcome[here] == OK)
    if mode == "host":  # other nodes do not listen on 8080
        assert np.all(cols.outcome[~here] == REFUSED)
        assert np.count_nonzero(~here) > 300
    else:  # the mesh answers everywhere and forwards (paying the hop both ways)
        assert np.all(cols.outcome == OK)
        np.testing.assert_allclose(cols.latency[here], 0.02, rtol=1e-9)
        np.testing.assert_allclose(cols.latency[~here], 0.02 + 2 * 0.0002, rtol=1e-9)


INTERNAL = """\
  db:
    image: example/db:1
    deploy:
      replicas: 3
      endpoint_mode: ENDPOINT
"""


@pytest.mark.parametrize("mode", ["vip", "dnsrr"])
def test_vip_round_robin_vs_dns_round_robin(tmp_path, mode):
    sim = run(tmp_path, INTERNAL.replace("ENDPOINT", mode), """\
workload:
  - {name: w, service: app_db, entry: [myvm1], arrivals: {kind: constant, rate: 30}, start: 10s}
""", until="40s")
    cols = sim.traffic.records()
    assert np.all(cols.outcome == OK)
    seq = cols.task
    counts = np.bincount(seq, minlength=3)
    if mode == "vip":  # IPVS rr: a strict rotation
        assert np.array_equal(seq[3:], seq[:-3]) and len(set(seq[:3].tolist())) == 3
        assert counts.max() - counts.min() <= 1
    else:  # a shuffled DNS answer per connection: no rotation, about a third each
        assert not np.array_equal(seq[3:], seq[:-3])
        assert np.all(np.abs(counts - len(seq) / 3) < 4 * np.sqrt(len(seq) * 2 / 9))


def test_same_seed_same_requests(tmp_path):
    body = """\
workload:
  - {name: w, port: 4000, rate: 40, start: 5s}
timeline:
  - {at: 20s, fail: myvm3}
"""
    a = traffic_document(run(tmp_path, WEB, body, until="45s"))
    b = traffic_document(run(tmp_path, WEB, body, until="45s"))
    c = traffic_document(run(tmp_path, WEB, body, until="45s", seed=3))
    assert a == b
    assert a != c


def test_rolling_update_drains_without_errors(tmp_path):
    sim = run(tmp_path, WEB, """\
workload:
  - {name: w, port: 4000, entry: [myvm1], arrivals: {kind: constant, rate: 50}, start: 10s}
timeline:
  - {at: 20s, run: "docker service update --image example/web:2 app_web"}
""", until="60s")
    cols = sim.traffic.records()
    assert np.all(cols.outcome == OK)  # each old task serves through the gossip delay
    tr = sim.traffic
    new = [b.index for b in tr.backends if b.task_id not in
           {t.id for t in sim.state.tasks.values() if t.spec.image == "example/web:1"}]
    assert len(tr.backends) == 6 and len(new) == 3
    late = cols.send > 50.0
    assert set(np.unique(cols.task[late]).tolist()) == set(new)


def test_a_healthcheck_gates_joining_the_balancer(tmp_path):
    checked = WEB.replace("    ports:", "    healthcheck:\n      test: [CMD, \"true\"]\n"
                          "      interval: 5s\n      start_period: 0s\n    ports:")
    sim = run(tmp_path, checked, """\
workload:
  - {name: w, port: 4000, arrivals: {kind: constant, rate: 20}, start: 0s}
""", until="20s")
    cols = sim.traffic.records()
    first = cols.send[cols.outcome == OK].min()
    # pulled at 2 s, started at 2 s (startup 1 s), first healthy probe 5 s later at 7 s
    assert 7.0 <= first < 7.1
    assert np.all(cols.outcome[cols.send < 7.0] == REFUSED)
