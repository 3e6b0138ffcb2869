"""Utilisation a report can trust, over random runs (hypothesis): no cluster figure
ever exceeds its capacity (a down node's capacity and reservations leave together), no
node uses more than it has, and CPU used is never 0 while containers run."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.metrics import collect
from swarmsim.metrics.series import value_at

services = st.lists(st.fixed_dictionaries({
    "replicas": st.integers(1, 5),
    "reserve": st.sampled_from(["0", "0.25", "0.5", "1"]),
    "limit": st.sampled_from([None, "0.5", "1", "2"]),
    "cpu": st.sampled_from([None, "0.2", "1", "3",
                            "{kind: random_walk, start: 0.5, sigma: 0.5, step: 7s, max: 3}",
                            "{kind: steps, steps: [{at: 0s, value: 0.1}, {at: 20s, value: 2}],"
                            " period: 45s}"]),
    "memory": st.sampled_from([None, "100M", "400M",
                               "{kind: steps, steps: [{at: 0s, value: 50M}, "
                               "{at: 30s, value: 700M}]}"]),
}), min_size=1, max_size=3)
faults = st.lists(st.tuples(st.integers(0, 3), st.integers(5, 150), st.integers(5, 60)),
                  max_size=3)


def write(tmp, nodes, svcs, fails):
    lines = ['version: "3.8"', "services:"]
    for i, s in enumerate(svcs):
        usage = [f"cpu: {s['cpu']}"] if s["cpu"] else []
        usage += [f"memory: {s['memory']}"] if s["memory"] else []
        limit = f', limits: {{cpus: "{s["limit"]}"}}' if s["limit"] else ""
        lines += [f"  s{i}:", f"    image: example/s{i}:1", "    deploy:",
                  f"      replicas: {s['replicas']}",
                  f'      resources: {{reservations: {{cpus: "{s["reserve"]}"}}{limit}}}']
        if usage:
            lines.append(f"    x-swarmsim: {{usage: {{{', '.join(usage)}}}}}")
    (tmp / "app.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    node_lines = [f"  - {{name: n{k}, cpus: {c}, memory: {m}{', role: manager' if k == 0 else ''}}}"
                  for k, (c, m) in enumerate(nodes)]
    steps = []
    for node, at, down in fails:
        if 0 < node < len(nodes):
            steps += [f"  - {{at: {at}s, fail: n{node}}}",
                      f"  - {{at: {at + down}s, recover: n{node}}}"]
    (tmp / "s.yaml").write_text("name: u\nseed: 1\nuntil: 4m\nnodes:\n" + "\n".join(node_lines)
                                + "\nstacks: {app: app.yml}\ntimeline:" +
                                ("\n" + "\n".join(steps) if steps else " []") + "\n",
                                encoding="utf-8")
    return tmp / "s.yaml"


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nodes=st.lists(st.tuples(st.sampled_from([1, 2, 4]), st.sampled_from(["512M", "1G"])),
                      min_size=1, max_size=4), svcs=services, fails=faults)
def test_utilisation_never_exceeds_capacity_nor_reads_zero_while_running(
        tmp_path_factory, nodes, svcs, fails):
    path = write(tmp_path_factory.mktemp("u"), nodes, svcs, fails)
    m = collect(run_scenario(load_scenario(path)))
    s = m.series
    points = sorted({t for key in s.keys() if key[0] == "cluster" for t in s.get(*key)[0]})
    eps = 1e-9
    for t in points:
        cpus = value_at(*s.get("cluster", "cpus"), t)
        memory = value_at(*s.get("cluster", "memory"), t)
        assert value_at(*s.get("cluster", "used_cpus"), t) <= cpus + eps
        assert value_at(*s.get("cluster", "reserved_cpus"), t) <= cpus + eps, t
        assert value_at(*s.get("cluster", "used_memory"), t) <= memory + eps
        used = value_at(*s.get("cluster", "used_cpus"), t)
        demanded = value_at(*s.get("cluster", "demanded_cpus"), t)
        throttled = value_at(*s.get("cluster", "throttled_cpus"), t)
        assert abs(demanded - used - throttled) < 1e-6
        if value_at(*s.get("cluster", "containers"), t) > 0:
            assert used > 0, t
    for k, (cores, _mem) in enumerate(nodes):
        for _t, v in zip(*s.get(f"node:n{k}", "used_cpus"), strict=True):
            assert v <= cores + eps
    util = m.summary["utilisation"]["cluster"]
    for name in ("cpu_used", "cpu_reserved", "memory_used"):
        assert (util[name]["peak"] or 0) <= 1 + eps
