"""docker's tables from hand-built cluster state (docker CLI formatters, §8.1)."""

from swarmsim.cluster.state import ClusterState
from swarmsim.cluster.tasks import TaskState
from swarmsim.commands.tables import (
    ingress_ports,
    node_table,
    replicas,
    service_table,
    shown_image,
    stack_table,
    tabwrite,
    task_table,
)
from swarmsim.input.specs import NodeSpec, Placement, PortConfig, ServiceSpec
from swarmsim.manager.controlapi import tagged_image


class Clock:
    def __init__(self) -> None:
        self.now = 0.0


def make_state():
    clock = Clock()
    counter = iter(range(1, 1000))
    state = ClusterState(lambda: clock.now, lambda: f"id{next(counter):023d}")
    return clock, state


def test_tabwriter_pads_every_cell_but_the_last():
    out = tabwrite([["ID", "NAME", "PORTS"], ["abcdefghijkl", "web", ""]])
    # widths: max(10, 12 + 3) = 15 and max(10, 4 + 3) = 10; the empty last cell still
    # leaves the padding of the cells before it, as Go's tabwriter does
    header = "ID".ljust(15) + "NAME".ljust(10) + "PORTS\n"
    assert out == header + "abcdefghijkl   " + "web" + " " * 7 + "\n"


def test_node_ls_marks_the_current_node():
    _, state = make_state()
    state.add_node(NodeSpec(name="swarm-worker2", id="1bcef6utixb0l0ca7gxuivsj0"))
    state.add_node(NodeSpec(name="swarm-manager1", id="e216jshn25ckzbvmwlnh5jr3g", role="manager"),
                   manager_status="Leader")
    out = node_table(state.nodes.values(), "e216jshn25ckzbvmwlnh5jr3g")
    # ID column: 25 characters + " *" + padding 3 = 30; HOSTNAME: 14 + 3 = 17
    assert out == (
        "ID" + " " * 28
        + "HOSTNAME         STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n"
        "e216jshn25ckzbvmwlnh5jr3g *   swarm-manager1   Ready     Active         Leader"
        "           29.7.2\n"
        "1bcef6utixb0l0ca7gxuivsj0     swarm-worker2    Ready     Active" + " " * 26 + "29.7.2\n"
    )
    quiet = node_table(state.nodes.values(), None, quiet=True)
    assert quiet == "e216jshn25ckzbvmwlnh5jr3g\n1bcef6utixb0l0ca7gxuivsj0\n"


def test_task_table_history_sort_and_columns():
    clock, state = make_state()
    state.add_node(NodeSpec(name="node-1", id="n1" + "0" * 23))
    state.add_node(NodeSpec(name="node-2", id="n2" + "0" * 23))
    svc = state.create_service(ServiceSpec(name="web", image="nginx:1.25"))
    old = state.create_task(svc, slot=1)
    web2 = state.create_task(svc, slot=2)
    web10 = state.create_task(svc, slot=10)
    state.assign(web2, "n2" + "0" * 23, "assigned")
    state.set_state(web10, TaskState.PENDING)
    state.set_pending_error(web10, "no suitable node (insufficient resources on 2 nodes)")
    clock.now = 5.0
    state.assign(old, "n1" + "0" * 23, "assigned")
    state.set_state(web2, TaskState.RUNNING)
    clock.now = 10.0
    state.set_state(old, TaskState.FAILED, error="task: non-zero exit (1)")
    state.set_desired(old, TaskState.SHUTDOWN)
    clock.now = 15.0
    new = state.create_task(svc, slot=1)
    state.assign(new, "n2" + "0" * 23, "assigned")
    clock.now = 20.0
    state.set_state(new, TaskState.RUNNING)
    out = task_table(state, state.tasks.values(), 64.0)
    # widths by hand: ID 12+3, NAME len(" \_ web.1")+3, IMAGE 10+3, NODE 10 (minimum),
    # DESIRED STATE 13+3, CURRENT STATE len("Pending about a minute ago")+3, ERROR 2+30+3
    w = [15, 12, 13, 10, 16, 29, 35]

    def row(*cells):
        return "".join(c.ljust(n) for c, n in zip(cells, w, strict=False)) + cells[-1] + "\n"

    assert out == (
        row("ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS")
        + row(new.id[:12], "web.1", "nginx:1.25", "node-2", "Running", "Running 44 seconds ago",
              "", "")
        + row(old.id[:12], " \\_ web.1", "nginx:1.25", "node-1", "Shutdown",
              "Failed 54 seconds ago", '"task: non-zero exit (1)"', "")
        + row(web2.id[:12], "web.2", "nginx:1.25", "node-2", "Running", "Running 59 seconds ago",
              "", "")
        + row(web10.id[:12], "web.10", "nginx:1.25", "", "Running", "Pending about a minute ago",
              '"no suitable node (insufficien\u2026"', "")
    )
    quiet = task_table(state, state.tasks.values(), 64.0, quiet=True)
    assert quiet.splitlines() == [new.id, old.id, web2.id, web10.id]


def test_global_task_names_use_the_node_id():
    _, state = make_state()
    state.add_node(NodeSpec(name="node-1", id="n1" + "0" * 23))
    svc = state.create_service(
        ServiceSpec(name="agent", image="busybox", mode="global", replicas=0))
    state.create_task(svc, node_id="n1" + "0" * 23)
    out = task_table(state, state.tasks.values(), 0.0)
    assert out.splitlines()[1].split()[1] == "agent.n1" + "0" * 23


def _running(state, svc, n, *, desired=TaskState.RUNNING, final=TaskState.RUNNING):
    for i in range(n):
        t = state.create_task(svc, slot=i + 1, desired=desired)
        state.set_state(t, final)


def test_replicas_column():
    _, state = make_state()
    web = state.create_service(ServiceSpec(name="web", image="nginx", replicas=3))
    _running(state, web, 2)
    assert replicas(state, web) == "2/3"
    capped = state.create_service(ServiceSpec(name="capped", image="nginx", replicas=4,
                                              placement=Placement(max_replicas=2)))
    _running(state, capped, 4)
    assert replicas(state, capped) == "4/4 (max 2 per node)"
    glob = state.create_service(ServiceSpec(name="glob", image="nginx", mode="global", replicas=0))
    _running(state, glob, 2)
    assert replicas(state, glob) == "2/2"  # desired: tasks whose desired state is running
    job = state.create_service(ServiceSpec(name="job", image="busybox", mode="replicated-job",
                                           replicas=3))
    _running(state, job, 1, desired=TaskState.COMPLETE, final=TaskState.COMPLETE)
    _running(state, job, 1, desired=TaskState.COMPLETE)
    assert replicas(state, job) == "1/3 (1/3 completed)"
    gjob = state.create_service(ServiceSpec(name="gjob", image="busybox", mode="global-job",
                                            replicas=0))
    _running(state, gjob, 2, desired=TaskState.COMPLETE, final=TaskState.COMPLETE)
    _running(state, gjob, 1, desired=TaskState.COMPLETE)
    assert replicas(state, gjob) == "1/1 (2/3 completed)"


def test_service_ls_columns_and_natural_order():
    _, state = make_state()
    for name in ("web-10", "web-2"):
        state.create_service(ServiceSpec(
            name=name, image="docker.io/library/nginx:1.25", replicas=2,
            ports=(PortConfig(target=80, published=8080),)))
    state.create_service(ServiceSpec(name="logs", image="busybox", mode="global", replicas=0))
    out = service_table(state, state.services.values())
    ids = {s.name: s.id[:12] for s in state.services.values()}
    w = [15, 10, 13, 11, 13]  # ID, NAME (minimum 10), MODE, REPLICAS, IMAGE by hand

    def row(*cells):
        return "".join(c.ljust(n) for c, n in zip(cells, w, strict=False)) + cells[-1] + "\n"

    assert out == (
        row("ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS")
        + row(ids["logs"], "logs", "global", "0/0", "busybox", "")
        + row(ids["web-2"], "web-2", "replicated", "0/2", "nginx:1.25", "*:8080->80/tcp")
        + row(ids["web-10"], "web-10", "replicated", "0/2", "nginx:1.25", "*:8080->80/tcp")
    )


def test_ingress_ports_are_merged_into_ranges():
    def ports(*triples):
        return tuple(PortConfig(target=t, published=p, protocol=proto) for p, t, proto in triples)

    assert ingress_ports(ports((80, 80, "tcp"), (81, 81, "tcp"))) == "*:80-81->80-81/tcp"
    assert ingress_ports(ports((80, 80, "tcp"), (81, 80, "tcp"))) == "*:80-81->80/tcp"
    assert ingress_ports(ports((80, 80, "tcp"), (81, 81, "tcp"), (82, 80, "tcp"))) == (
        "*:80-81->80-81/tcp, *:82->80/tcp"
    )
    assert ingress_ports(ports((53, 53, "udp"), (53, 53, "tcp"), (8080, 80, "tcp"))) == (
        "*:53->53/tcp, *:8080->80/tcp, *:53->53/udp"
    )
    host = (PortConfig(target=80, published=8080, mode="host"),)
    assert ingress_ports(host) == ""


def test_stack_ls_counts_services_per_stack():
    _, state = make_state()
    for name, stack in (("a_web", "a"), ("a_db", "a"), ("b10_x", "b10"), ("b2_x", "b2"),
                        ("loose", "")):
        state.create_service(ServiceSpec(name=name, image="nginx", stack=stack))
    assert stack_table(state.services.values()) == (
        "NAME      SERVICES\n"
        "a         2\n"
        "b2        1\n"
        "b10       1\n"
    )


def test_images_as_docker_shows_and_sends_them():
    digest = "sha256:" + "a" * 64
    assert shown_image(f"nginx:1.25@{digest}") == "nginx:1.25"
    assert shown_image(f"nginx@{digest}") == f"nginx@{digest}"
    assert shown_image("docker.io/library/redis:7") == "redis:7"
    assert tagged_image("redis") == "redis:latest"
    assert tagged_image("docker.io/library/redis") == "redis:latest"
    assert tagged_image("username/repo:tag") == "username/repo:tag"
    assert tagged_image("localhost:5000/app") == "localhost:5000/app:latest"
