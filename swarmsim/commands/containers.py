"""A task's container and a network as ``docker inspect`` shows them.

Shapes follow moby's ``api/types/container`` (``InspectResponse``, ``State``,
``Config``, ``NetworkSettings``; docker 29 has no top-level ``IPAddress`` in
``NetworkSettings`` any more: a container's addresses are per network, under
``Networks``) and ``api/types/network`` (``Inspect``).  A task's container carries the
labels SwarmKit's executor sets (moby ``daemon/cluster/executor/container/
container.go``: ``com.docker.swarm.service.id`` ...).  Addresses are made up but
stable: ``10.N.0.x`` on a network's ``10.N.0.0/24``.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from swarmsim.cluster.tasks import TaskState
from swarmsim.commands.views import object_id, subnet_of

if TYPE_CHECKING:
    from swarmsim.cluster.tasks import Task
    from swarmsim.commands.objects import View

ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time.Time, as the API marshals it


def hex_id(*parts: str) -> str:
    """A made-up 64-hex id (an image digest, a sandbox, an endpoint)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def task_ip(task: Task, network: str) -> str:
    """A task container's address on a swarm network."""
    return f"10.{subnet_of(network)}.0.{int(object_id('ip', task.id, network), 36) % 240 + 10}"


def container_state(view: View, task: Task) -> dict[str, Any]:
    """``State``: created before the container starts, running, then exited."""
    running = task.state == TaskState.RUNNING and task.actual
    done = task.state > TaskState.RUNNING and TaskState.STARTING <= task.state
    status = "running" if running else ("exited" if done else "created")
    return {
        "Status": status, "Running": running, "Paused": False, "Restarting": False,
        "OOMKilled": "OOM" in (task.error or "") or "out of memory" in (task.error or ""),
        "Dead": False,
        "Pid": int(object_id("pid", task.id), 36) % 30000 + 1000 if running else 0,
        "ExitCode": task.exit_code or 0, "Error": "",
        "StartedAt": view.clock.stamp(task.updated) if running or done else ZERO_TIME,
        "FinishedAt": view.clock.stamp(task.updated) if done else ZERO_TIME,
    }


def task_container(view: View, task: Task, node_id: str, image_cmd: tuple[str, ...] = ()
                   ) -> dict[str, Any]:
    """``docker container inspect`` of a task's container (``image_cmd``: the image's
    own ``CMD``, run when the service gives no command)."""
    spec = task.spec
    cid = view.container_id(task)
    svc = view.sim.state.services.get(task.service)
    service_id = svc.id if svc is not None else view.removed_service_id(task.service)
    name = f"{task.name}.{task.id}"
    labels = dict(spec.container_labels)
    if spec.stack:
        labels["com.docker.stack.namespace"] = spec.stack
    labels.update({
        "com.docker.swarm.node.id": node_id,
        "com.docker.swarm.service.id": service_id,
        "com.docker.swarm.service.name": spec.name,
        "com.docker.swarm.task": "",
        "com.docker.swarm.task.id": task.id,
        "com.docker.swarm.task.name": name,
    })
    networks = (("ingress",) if any(p.mode == "ingress" for p in spec.ports) else ()) + tuple(
        spec.networks)
    args = list(spec.command or ()) or list(image_cmd)
    res = spec.resources.limits
    return {
        "Id": cid,
        "Created": view.clock.stamp(task.created),
        "Path": (list(spec.entrypoint or ()) + args + [""])[0] if spec.entrypoint or args
        else "",
        "Args": (list(spec.entrypoint or ()) + args)[1:],
        "State": container_state(view, task),
        "Image": "sha256:" + hex_id("image", spec.image),
        "ResolvConfPath": f"/var/lib/docker/containers/{cid}/resolv.conf",
        "HostnamePath": f"/var/lib/docker/containers/{cid}/hostname",
        "HostsPath": f"/var/lib/docker/containers/{cid}/hosts",
        "LogPath": f"/var/lib/docker/containers/{cid}/{cid}-json.log",
        "Name": "/" + name,
        "RestartCount": 0,
        "Driver": "overlayfs",
        "Platform": "linux",
        "MountLabel": "", "ProcessLabel": "", "AppArmorProfile": "",
        "ExecIDs": None,
        "HostConfig": {
            "NetworkMode": "bridge", "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
            "AutoRemove": False, "Isolation": "default",
            "Memory": res.memory_bytes, "NanoCpus": res.nano_cpus,
            "PidsLimit": spec.resources.pids_limit or None,
            "Mounts": [{"Type": m.type, "Source": m.source, "Target": m.target,
                        **({"ReadOnly": True} if m.read_only else {})} for m in spec.mounts],
        },
        "Mounts": [{"Type": m.type, "Source": m.source, "Destination": m.target, "Mode": "",
                    "RW": not m.read_only, "Propagation": "rprivate" if m.type == "bind"
                    else ""} for m in spec.mounts],
        "Config": {
            "Hostname": spec.hostname or cid[:12], "Domainname": "", "User": "",
            "AttachStdin": False, "AttachStdout": False, "AttachStderr": False,
            "Tty": False, "OpenStdin": False, "StdinOnce": False,
            "Env": list(spec.env) or None,
            "Cmd": args or None,
            "Image": spec.image,
            "Volumes": None, "WorkingDir": "",
            "Entrypoint": list(spec.entrypoint) if spec.entrypoint else None,
            "Labels": labels,
        },
        "NetworkSettings": {
            "SandboxID": hex_id("sandbox", task.id),
            "SandboxKey": f"/var/run/docker/netns/{object_id('netns', task.id)[:12]}",
            "Ports": {},
            "Networks": {
                n: {"IPAMConfig": {"IPv4Address": task_ip(task, n)}, "Links": None,
                    "Aliases": [spec.short_name] if spec.stack and spec.short_name else None,
                    "DriverOpts": None, "GwPriority": 0,
                    "NetworkID": view.network_id(n),
                    "EndpointID": hex_id("endpoint", task.id, n),
                    "Gateway": "", "IPAddress": task_ip(task, n), "MacAddress": "",
                    "IPPrefixLen": 24, "IPv6Gateway": "", "GlobalIPv6Address": "",
                    "GlobalIPv6PrefixLen": 0, "DNSNames": [name, cid[:12]]}
                for n in networks
            },
        },
    }


def network(view: View, name: str, driver: str, scope: str, *, nid: str = "",
            created: float = 0.0, labels: dict[str, str] | None = None,
            internal: bool = False, attachable: bool = False) -> dict[str, Any]:
    """``network.Inspect`` (moby ``api/types/network``) of one network."""
    nid = nid or view.network_id(name)
    n = subnet_of(name)
    return {
        "Name": name, "Id": nid, "Created": view.clock.stamp(created), "Scope": scope,
        "Driver": driver, "EnableIPv4": True, "EnableIPv6": False,
        "IPAM": {"Driver": "default", "Options": None,
                 "Config": [{"Subnet": f"10.{n}.0.0/24", "Gateway": f"10.{n}.0.1"}]
                 if driver == "overlay" else []},
        "Internal": internal, "Attachable": attachable,
        "Ingress": name == "ingress", "ConfigFrom": {"Network": ""}, "ConfigOnly": False,
        "Containers": {}, "Options": {}, "Labels": dict(labels or {}),
    }
