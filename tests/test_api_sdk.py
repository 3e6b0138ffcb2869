"""The Docker SDK for Python against ``swarmsim serve``, as its documentation uses it
(docker-py ``models/{swarm,nodes,services,networks,secrets}.py``)."""

from __future__ import annotations

import time

import docker
import pytest
from api_helpers import served
from docker.errors import APIError, NotFound


@pytest.fixture
def client_and_server():
    with served("three.yaml", speed=20) as srv:
        client = docker.DockerClient(base_url=f"tcp://127.0.0.1:{srv.port}", version="auto")
        try:
            yield client, srv
        finally:
            client.close()


def _until(check, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_swarm_and_nodes(client_and_server):
    client, srv = client_and_server
    sim = srv.view.sim
    assert client.swarm.attrs["JoinTokens"]["Worker"] == sim.join_tokens[0]
    assert client.swarm.attrs["JoinTokens"]["Manager"] == sim.join_tokens[1]
    nodes = {n.attrs["Description"]["Hostname"]: n for n in client.nodes.list()}
    assert sorted(nodes) == ["myvm1", "myvm2", "myvm3"]
    assert [n.id for n in client.nodes.list(filters={"role": "manager"})] == [nodes["myvm1"].id]
    node = nodes["myvm2"]
    spec = dict(node.attrs["Spec"], Availability="drain", Labels={"zone": "b"})
    assert node.update(spec) is True
    assert srv.call(lambda: sim.state.node_by_name("myvm2").spec.availability) == "drain"
    node.reload()
    assert node.attrs["Spec"]["Labels"] == {"zone": "b"}
    with pytest.raises(APIError) as stale:  # the version read before the update
        client.api.update_node(node.id, node.version - 1, spec)
    assert stale.value.status_code == 500
    assert "update out of sequence" in stale.value.explanation


def test_services_create_scale_update_tasks_remove(client_and_server):
    client, srv = client_and_server
    state = srv.view.sim.state
    net = client.networks.create("appnet", driver="overlay")
    svc = client.services.create(
        "nginx:1.25", name="web", networks=["appnet"],
        mode=docker.types.ServiceMode("replicated", replicas=3),
        endpoint_spec=docker.types.EndpointSpec(ports={8080: 80}),
        constraints=["node.role==worker"],
    )
    assert srv.call(lambda: state.services["web"].spec.replicas) == 3
    assert srv.call(lambda: state.services["web"].spec.networks) == ("appnet",)
    assert _until(lambda: sum(t["Status"]["State"] == "running" for t in svc.tasks()) == 3)
    workers = {n.id for n in client.nodes.list(filters={"role": "worker"})}
    assert {t["NodeID"] for t in svc.tasks()} <= workers  # the constraint held
    assert svc.scale(5) == {"Warnings": None}  # moby: ServiceUpdateResponse
    assert _until(lambda: len(svc.tasks(filters={"desired-state": "running"})) == 5)
    svc.reload()
    assert svc.attrs["Spec"]["Mode"] == {"Replicated": {"Replicas": 5}}
    svc.update(image="nginx:1.26")
    assert srv.call(lambda: state.services["web"].spec.image) == "nginx:1.26"
    assert srv.call(lambda: state.services["web"].previous_spec.image) == "nginx:1.25"
    names = [s.name for s in client.services.list(filters={"name": "web"})]
    assert names == ["web"]
    svc.remove()
    assert srv.call(lambda: "web" in state.services) is False
    with pytest.raises(NotFound):
        client.services.get("web")
    net.remove()
    assert "appnet" not in [n.name for n in client.networks.list()]


def test_networks_and_secrets(client_and_server):
    client, srv = client_and_server
    net = client.networks.create("backend", driver="overlay", labels={"tier": "db"})
    assert client.networks.get(net.id).attrs["Labels"] == {"tier": "db"}
    assert [n.name for n in client.networks.list(filters={"label": "tier=db"})] == ["backend"]
    secret = client.secrets.create(name="db_password", data=b"s3cret", labels={"a": "1"})
    got = client.secrets.get(secret.id)
    assert got.name == "db_password" and got.attrs["Spec"]["Labels"] == {"a": "1"}
    assert "Data" not in got.attrs["Spec"]  # a secret's data is never shown
    with pytest.raises(APIError) as dup:
        client.secrets.create(name="db_password", data=b"x")
    assert dup.value.status_code == 409
    assert srv.call(lambda: dict(srv.view.api.secrets)) == {"db_password": ""}
    secret.remove()
    assert client.secrets.list() == []
    with pytest.raises(NotFound):
        client.secrets.get("db_password")
