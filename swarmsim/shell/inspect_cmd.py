"""``docker inspect`` and ``docker container|network|image inspect`` in the shell
(``docker service|node inspect`` are :mod:`swarmsim.commands.inspect`'s).

docker/cli's ``cli/command/system/inspect.go``: without ``--type`` a name is looked up
as a container, an image, a network, a volume, then (on a manager) a service, a task, a
node, a plugin, a secret, a config; not-found answers are skipped and the last resort is
``error: no such object: NAME``.  ``cli/command/inspect/inspector.go`` prints the objects
as an indented JSON list (``[]`` for none), compact with ``--format json``, or each
through the template (a blank line when nothing printed).  Errors come after the
output, joined by newlines, exit status 1 (64 for a template that does not parse).
Task lookup follows moby ``daemon/cluster/helpers.go`` (full id, full name, id prefix).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from swarmsim.cluster.tasks import TaskState
from swarmsim.commands import containers as shapes
from swarmsim.commands import control_api, objects
from swarmsim.commands.gotemplate import TemplateError
from swarmsim.commands.inspect import render
from swarmsim.commands.tables import formatted
from swarmsim.commands.views import object_id
from swarmsim.foundation.errors import CommandError
from swarmsim.foundation.text import natural_key
from swarmsim.shell.containers import _known
from swarmsim.shell.engine_local import EngineError, familiar
from swarmsim.shell.reply import Reply

if TYPE_CHECKING:
    from swarmsim.commands.views import SimView
    from swarmsim.shell.laptop import Laptop

TYPES = ("config", "container", "image", "network", "node", "plugin", "secret", "service",
         "task", "volume")
#: docker inspect's lookup order (cli/command/system/inspect.go, inspectAll)
ORDER = ("container", "image", "network", "volume", "service", "task", "node", "plugin",
         "secret", "config")
_SWARM = ("service", "task", "node", "secret", "config")
#: networks every engine has, and the swarm's own (name, driver, scope)
LOCAL_NETWORKS = (("bridge", "bridge", "local"), ("host", "host", "local"),
                  ("none", "null", "local"))


class NotFound(Exception):
    """A lookup that found nothing (docker inspect goes on with the next type)."""


def _options(words: list[str], path: str) -> tuple[dict[str, str], list[str]]:
    """``-f/--format``, ``--type``, ``-s/--size``, ``--pretty`` and the names."""
    opts: dict[str, str] = {}
    refs: list[str] = []
    takes = {"-f": "format", "--format": "format", "--type": "type"}
    i = 0
    while i < len(words):
        w = words[i]
        name, eq, value = w.partition("=")
        if name in takes and eq:
            opts[takes[name]] = value
        elif w in takes:
            if i + 1 >= len(words):
                shown = w[2:] if w.startswith("--") else f"'{w[1:]}'"
                raise CommandError(f"flag needs an argument: {shown} in {w}\n"
                                   f"See '{path} --help'.", exit_code=125)
            opts[takes[w]] = words[i + 1]
            i += 1
        elif w.startswith("-f") and len(w) > 2 and not w.startswith("--"):
            opts["format"] = w[2:]
        elif w in ("-s", "--size"):
            opts["size"] = "1"
        elif w.startswith("-") and w != "-":
            flag = w.split("=")[0]
            text = (f"unknown flag: {flag}" if flag.startswith("--")
                    else f"unknown shorthand flag: '{flag[1]}' in {flag}")
            raise CommandError(f"{text}\nSee '{path} --help'.", exit_code=125)
        else:
            refs.append(w)
        i += 1
    return opts, refs


def inspect_command(session: Laptop, machine: str, words: list[str]) -> Reply:
    """One ``inspect`` line (``words`` from ``docker``)."""
    kind = "" if words[1] == "inspect" else words[1]
    path = "docker inspect" if not kind else f"docker {kind} inspect"
    try:
        opts, refs = _options(words[3:] if kind else words[2:], path)
        if not refs:
            arg = "CONTAINER" if kind == "container" else "NAME|ID"
            raise CommandError(f"docker: '{path}' requires at least 1 argument\n\nUsage:  "
                               f"{path} [OPTIONS] {arg} [{arg}...]\n\nSee '{path} --help' "
                               "for more information", exit_code=1)
        wanted = opts.get("type", "") if not kind else kind
        if "type" in opts and not kind and wanted not in TYPES:
            quoted = '", "'.join(TYPES)
            raise CommandError(f'type is empty: must be one of "{quoted}"' if not wanted else
                               f'unknown type: "{wanted}": must be one of "{quoted}"')
    except CommandError as err:
        return Reply("", err.message + "\n", err.exit_code)
    fmt = opts.get("format", "")
    finder = Finder(session, machine)
    finder.size = "size" in opts
    found: list[dict[str, Any]] = []
    errors: list[str] = []
    for ref in refs:
        try:
            found.append(finder.lookup(ref, wanted, typed=bool(kind or wanted)))
        except NotFound as miss:
            errors.append(str(miss))
        except CommandError as err:
            errors.append(err.message)
    try:
        out = render(found, fmt)
    except TemplateError as err:
        code = 64 if err.parse else 1
        return Reply("" if err.parse else "\n", f"template parsing error: {err}\n", code)
    err_text = "".join(f"{w}\n" for w in finder.warnings) + "".join(f"{e}\n" for e in errors)
    return Reply(out, err_text, 1 if errors else 0)


class Finder:
    """The objects ``machine``'s engine can show."""

    def __init__(self, session: Laptop, machine: str) -> None:
        self.session = session
        self.machine = machine
        self.sim = session.sim
        self.api = control_api(self.sim)
        self.view: SimView = session.view
        self.size = False  # -s: only containers have sizes (a warning for the others)
        self.warnings: list[str] = []

    def lookup(self, ref: str, wanted: str, *, typed: bool) -> dict[str, Any]:
        """The object ``ref`` names (of type ``wanted``, or the first type that has it).

        Raises:
            NotFound: docker's not-found text.
            CommandError: another daemon error (an ambiguous task).
        """
        finders: dict[str, Callable[[str], dict[str, Any]]] = {
            "container": self.container, "image": self.image, "network": self.network,
            "service": self.service, "task": self.task, "node": self.node,
            "secret": self.secret, "config": self.config}
        manager = self.is_manager()
        for kind in ORDER:
            if wanted and kind != wanted:
                continue
            if not wanted and kind in _SWARM and not manager:
                continue
            find = finders.get(kind)
            try:
                if find is None:  # swarmsim has no volumes or plugins
                    raise NotFound("Error response from daemon: " + (
                        f"get {ref}: no such volume" if kind == "volume"
                        else f'plugin "{ref}" not found'))
                found = find(ref)
                if self.size and kind != "container":
                    self.warnings.append(f"WARNING: --size ignored for {kind}")
                return found
            except NotFound:
                if typed:
                    raise
        raise NotFound(f"error: no such object: {ref}")

    def secret(self, ref: str) -> dict[str, Any]:
        return self._stored("secret", self.api.secrets, ref)

    def config(self, ref: str) -> dict[str, Any]:
        return self._stored("config", self.api.configs, ref)

    def _stored(self, kind: str, names: dict[str, str], ref: str) -> dict[str, Any]:
        """A secret or config (moby daemon/cluster/helpers.go: id, name, id prefix)."""
        for name, stack in sorted(names.items()):
            oid = object_id(kind, name)
            if ref in (oid, name) or (len(ref) > 1 and oid.startswith(ref)):
                labels = {"com.docker.stack.namespace": stack} if stack else {}
                return {"ID": oid, "Version": {"Index": 1}, "CreatedAt": shapes.ZERO_TIME,
                        "UpdatedAt": shapes.ZERO_TIME, "Spec": {"Name": name,
                                                                "Labels": labels}}
        raise NotFound(f"Error response from daemon: {kind} {ref} not found")

    def is_manager(self) -> bool:
        node = self.api.node_of(self.machine)
        return node is not None and node.spec.role == "manager" and node.in_swarm

    def container(self, ref: str) -> dict[str, Any]:
        node = self.api.node_of(self.machine)
        tasks = [] if node is None else [t for t in self.sim.state.tasks_on(node.id)
                                         if t.state >= TaskState.ASSIGNED]
        name = ref[1:] if ref.startswith("/") else ref
        for match in ([t for t in tasks if self.view.container_id(t) == ref],
                      [t for t in tasks if f"{t.name}.{t.id}" == name],
                      [t for t in tasks if self.view.container_id(t).startswith(ref)]):
            if len(match) == 1:
                assert node is not None
                cmd = _known(match[0].spec.image)[0].strip('"').split()
                return shapes.task_container(self.view, match[0], node.id, tuple(cmd))
        own = [c for c in self.session.engines.of(self.machine).containers
               if c.id.startswith(ref) or c.name == name]
        if own:
            return standalone(self.view, own[0])
        raise NotFound(f"Error response from daemon: No such container: {ref}")

    def image(self, ref: str) -> dict[str, Any]:
        images = self.session.engines.of(self.machine).images
        try:
            key = familiar(ref)
        except EngineError:
            key = ""
        image = images.get(key) or next(
            (img for img in images.values()
             if img.id == ref or img.id.removeprefix("sha256:").startswith(ref)), None)
        if image is None:
            raise NotFound(f"Error response from daemon: No such image: {ref}")
        tags = sorted(name for name, img in images.items() if img.id == image.id)
        return local_image(self.view, image, tags)

    def networks(self) -> list[dict[str, Any]]:
        """The networks this engine knows, as ``docker network ls`` lists them."""
        out = [shapes.network(self.view, name, driver, scope)
               for name, driver, scope in LOCAL_NETWORKS]
        node = self.api.node_of(self.machine)
        if node is not None and node.in_swarm:
            out.append(shapes.network(self.view, "docker_gwbridge", "bridge", "local"))
            out.append(shapes.network(self.view, "ingress", "overlay", "swarm"))
            out += [shapes.network(self.view, name, "overlay", "swarm", labels={
                "com.docker.stack.namespace": stack} if stack else {})
                for name, stack in sorted(self.api.networks.items())]
        return out

    def network(self, ref: str) -> dict[str, Any]:
        nets = self.networks()
        for match in ([n for n in nets if n["Id"] == ref], [n for n in nets if n["Name"] == ref],
                      [n for n in nets if n["Id"].startswith(ref)]):
            if len(match) == 1:
                return match[0]
            if len(match) > 1:
                raise CommandError(f"Error response from daemon: network {ref} is ambiguous "
                                   f"({len(match)} matches found)")
        raise NotFound(f"Error response from daemon: network {ref} not found")

    def service(self, ref: str) -> dict[str, Any]:
        try:
            return objects.service(self.view, self.api.find_service(ref))
        except CommandError:
            raise NotFound(f"Error response from daemon: service {ref} not found") from None

    def task(self, ref: str) -> dict[str, Any]:
        tasks = self.sim.state.tasks
        if ref in tasks:
            return objects.task(self.view, tasks[ref])
        match = [t for t in tasks.values() if f"{t.name}.{t.id}" == ref] or [
            t for t in tasks.values() if ref and t.id.startswith(ref)]
        if not match:
            raise NotFound(f"Error response from daemon: task {ref} not found")
        if len(match) > 1:
            raise CommandError(f"Error response from daemon: task {ref} is ambiguous "
                               f"({len(match)} matches found)")
        return objects.task(self.view, match[0])

    def node(self, ref: str) -> dict[str, Any]:
        try:
            node = (self.api.node_of(self.machine) if ref == "self"
                    else self.api.find_node(ref))
        except CommandError as err:
            raise NotFound(err.message) from None
        if node is None:
            raise NotFound(f"Error response from daemon: node {ref} not found")
        return objects.node(self.view, node)


def standalone(view: SimView, c: Any) -> dict[str, Any]:
    """``docker container inspect`` of a ``docker run`` container."""
    state = {"Status": "running" if c.running else "exited", "Running": c.running,
             "Paused": False, "Restarting": False, "OOMKilled": False, "Dead": False,
             "Pid": int(c.id[:6], 16) % 30000 + 1000 if c.running else 0,
             "ExitCode": 0 if c.running else c.exit_code, "Error": "",
             "StartedAt": view.clock.stamp(c.created),
             "FinishedAt": shapes.ZERO_TIME if c.running else view.clock.stamp(c.stopped)}
    ports = {f"{inner}/tcp": [{"HostIp": "0.0.0.0", "HostPort": str(outer)}]
             for outer, inner in c.ports}
    return {
        "Id": c.id, "Created": view.clock.stamp(c.created), "Path": "python",
        "Args": ["app.py"], "State": state, "Image": c.image, "Name": "/" + c.name,
        "RestartCount": 0, "Driver": "overlayfs", "Platform": "linux",
        "HostConfig": {"NetworkMode": "bridge", "PortBindings": {
            k: v for k, v in ports.items()}, "RestartPolicy": {"Name": "no",
                                                               "MaximumRetryCount": 0}},
        "Mounts": [],
        "Config": {"Hostname": c.id[:12], "Image": c.image, "Cmd": ["python", "app.py"],
                   "Env": None, "Labels": {}},
        "NetworkSettings": {
            "Ports": ports,
            "Networks": {"bridge": {"NetworkID": view.network_id("bridge"),
                                    "Gateway": "172.17.0.1", "IPAddress": "172.17.0.2",
                                    "IPPrefixLen": 16}}},
    }


def local_image(view: SimView, image: Any, tags: list[str]) -> dict[str, Any]:
    """``docker image inspect`` of an image in the machine's store."""
    return {
        "Id": image.id, "RepoTags": tags, "RepoDigests": [], "Comment": "",
        "Created": view.clock.stamp(image.created),
        "Config": {"Env": ["PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                           "/usr/bin:/sbin:/bin"], "Cmd": ["python", "app.py"],
                   "WorkingDir": "/app", "ExposedPorts": {"80/tcp": {}}},
        "Architecture": "amd64", "Os": "linux", "Size": image.content,
        "RootFS": {"Type": "layers"},
        "Metadata": {"LastTagTime": view.clock.stamp(image.created)},
    }


def wants_inspect(words: list[str]) -> bool:
    """Whether a docker command line is one of this module's inspect commands."""
    return words[1:2] == ["inspect"] or (
        words[1:2] in (["container"], ["network"], ["image"]) and words[2:3] == ["inspect"])


NETWORK_HEADERS = {"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE"}
NETWORK_TABLE = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"


def network_ls(session: Laptop, machine: str, words: list[str]) -> Reply:
    """``docker network ls [-q] [--no-trunc] [--format F]``: sorted by name
    (cli/command/network/list.go), the table of cli/command/network/formatter.go."""
    quiet = "-q" in words or "--quiet" in words
    trunc = "--no-trunc" not in words
    fmt = next((words[at + 1] for at, w in enumerate(words[:-1]) if w == "--format"),
               next((w.split("=", 1)[1] for w in words if w.startswith("--format=")), ""))
    nets = sorted(Finder(session, machine).networks(), key=lambda n: natural_key(n["Name"]))
    rows = [{"ID": n["Id"][:12] if trunc else n["Id"], "Name": n["Name"],
             "Driver": n["Driver"], "Scope": n["Scope"]} for n in nets]
    if quiet:
        return Reply("".join(f"{r['ID']}\n" for r in rows))
    try:
        return Reply(formatted(rows, fmt, NETWORK_HEADERS, NETWORK_TABLE))
    except CommandError as err:
        return Reply("", err.message + "\n", err.exit_code)
