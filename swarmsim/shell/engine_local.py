"""A machine's own engine outside swarm mode, as get-started part 2 uses it: ``docker
build -t NAME .``, ``docker tag``, ``docker push``, ``docker image ls``, ``docker run -d
-p HOST:CONTAINER IMAGE`` and ``docker container stop``.

The build is simulated: it reads the Dockerfile of the laptop's current directory,
prints BuildKit's plain progress (one step per instruction that changes the
filesystem) and creates the image.  ``docker image ls`` prints docker 29's default
view (``cli/command/image/tree.go`` without a terminal: no legend, no colours).  A
pushed image is recorded in the registry (``pushed``) for the user to see; pulls from a
registry are not refused for images nobody pushed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from swarmsim.compose import imageref

#: what a tutorial-sized image measures (bytes): disk usage and compressed content
APP_DISK, APP_CONTENT = 199_000_000, 58_300_000
_STEP_INSTRUCTIONS = ("FROM", "WORKDIR", "ADD", "COPY", "RUN")


class EngineError(Exception):
    """docker's error text for a local-engine command."""


def familiar(ref: str) -> str:
    """``friendlyhello`` -> ``friendlyhello:latest``; ``docker.io/library/x`` -> ``x:latest``."""
    try:
        parsed = imageref.parse(ref)
    except imageref.ReferenceError:
        raise EngineError(f'invalid reference format: repository name ({ref}) must be '
                          "lowercase") from None
    name = parsed.path
    if parsed.domain not in ("", "docker.io"):
        name = f"{parsed.domain}/{name}"
    elif name.startswith("library/"):
        name = name[len("library/"):]
    return f"{name}:{parsed.tag or 'latest'}"


def full_name(ref: str) -> str:
    """The fully qualified name (``docker.io/library/friendlyhello:latest``)."""
    name = familiar(ref)
    if "/" not in name.split(":")[0]:
        return f"docker.io/library/{name}"
    first = name.split("/", 1)[0]
    return name if "." in first or ":" in first else f"docker.io/{name}"


def human_size(n: float) -> str:
    """go-units ``HumanSizeWithPrecision(n, 3)`` (decimal units)."""
    units = ["B", "kB", "MB", "GB", "TB"]
    i = 0
    while n >= 1000 and i < len(units) - 1:
        n /= 1000
        i += 1
    return f"{n:.3g}{units[i]}"


@dataclass
class LocalImage:
    """An image in a machine's image store."""

    id: str  # sha256:<64 hex>
    created: float
    disk: int = APP_DISK
    content: int = APP_CONTENT


@dataclass
class Container:
    """A standalone container (``docker run``)."""

    id: str
    image: str
    name: str
    ports: tuple[tuple[int, int], ...]  # (host, container)
    created: float
    running: bool = True
    exit_code: int = 0
    stopped: float = 0.0

    def stop(self, now: float, exit_code: int = 137) -> None:
        """The container ends: the app runs as PID 1 and ignores SIGTERM, so both
        ``docker stop`` (after its 10 s grace) and ``docker kill`` end it with SIGKILL."""
        self.running, self.exit_code, self.stopped = False, exit_code, now


@dataclass
class LocalEngine:
    """One machine's images (by familiar name) and standalone containers."""

    images: dict[str, LocalImage] = field(default_factory=dict)
    containers: list[Container] = field(default_factory=list)
    pulled: list[str] = field(default_factory=list)  # pulled by `docker run`, in order


@dataclass
class Engines:
    """Every machine's local engine, and what was pushed to registries."""

    machines: dict[str, LocalEngine] = field(default_factory=dict)
    pushed: dict[str, str] = field(default_factory=dict)  # full name -> image id

    def of(self, machine: str) -> LocalEngine:
        """The engine of ``machine``."""
        return self.machines.setdefault(machine, LocalEngine())

    def serving(self, machine: str, port: int) -> Container | None:
        """A running container of ``machine`` publishing ``port``."""
        for c in self.of(machine).containers:
            if c.running and any(host == port for host, _ in c.ports):
                return c
        return None


def _digest(*parts: object) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


def build(engines: Engines, machine: str, tag: str, context: Path, now: float) -> str:
    """``docker build -t TAG CONTEXT``: BuildKit's plain progress (stderr).

    Raises:
        EngineError: no Dockerfile in the context.
    """
    dockerfile = context / "Dockerfile"
    if not dockerfile.is_file():
        raise EngineError("ERROR: failed to build: failed to solve: failed to read "
                          "dockerfile: open Dockerfile: no such file or directory")
    text = dockerfile.read_text(errors="replace")
    steps = [ln.strip() for ln in text.splitlines()
             if ln.strip().split(" ", 1)[0].upper() in _STEP_INSTRUCTIONS]
    base = next((s.split()[1] for s in steps if s.upper().startswith("FROM ")), "scratch")
    image_id = "sha256:" + _digest("image", text, tag, now)
    lines = ['#0 building with "default" instance using docker driver', "",
             "#1 [internal] load build definition from Dockerfile",
             f"#1 transferring dockerfile: {len(text.encode())}B done", "#1 DONE 0.0s", "",
             f"#2 [internal] load metadata for {full_name(base).rsplit(':', 1)[0]}:"
             f"{familiar(base).rsplit(':', 1)[1]}", "#2 DONE 0.9s", "",
             "#3 [internal] load .dockerignore", "#3 transferring context: 2B done",
             "#3 DONE 0.0s", ""]
    n = 4
    for i, step in enumerate(steps, start=1):
        shown = f"FROM {full_name(base)}" if step.upper().startswith("FROM ") else step
        lines += [f"#{n} [{i}/{len(steps)}] {shown}", f"#{n} DONE 0.{i}s", ""]
        n += 1
    name = full_name(tag)
    lines += [f"#{n} exporting to image", f"#{n} exporting layers 0.2s done",
              f"#{n} writing image {image_id} done", f"#{n} naming to {name} done",
              f"#{n} DONE 0.2s"]
    engines.of(machine).images[familiar(tag)] = LocalImage(image_id, now)
    return "\n".join(lines) + "\n"


def tag(engines: Engines, machine: str, source: str, target: str) -> None:
    """``docker tag SOURCE TARGET``."""
    store = engines.of(machine).images
    src = familiar(source)
    if src not in store:
        raise EngineError(f"Error response from daemon: No such image: {src}")
    store[familiar(target)] = store[src]


def push(engines: Engines, machine: str, ref: str, logged_in: bool) -> str:
    """``docker push NAME[:TAG]``: the layers, then the digest line."""
    store = engines.of(machine).images
    name = familiar(ref)
    if name not in store:
        raise EngineError(f"An image does not exist locally with the tag: {ref}")
    repo, tag_ = name.rsplit(":", 1)
    full = full_name(name).rsplit(":", 1)[0]
    if not logged_in or "/" not in repo:
        raise EngineError(f"push access denied for {repo}, repository does not exist or may "
                          "require 'docker login': denied: requested access to the resource "
                          "is denied")
    image = store[name]
    layers = [_digest("layer", image.id, i)[:12] for i in range(4)]
    engines.pushed[full_name(name)] = image.id
    digest = "sha256:" + _digest("manifest", image.id)
    return "".join([f"The push refers to repository [{full}]\n",
                    *(f"{layer}: Pushed\n" for layer in layers),
                    f"{tag_}: digest: {digest} size: 856\n"])


def image_ls(engines: Engines, machine: str, quiet: bool = False) -> str:
    """``docker image ls [-q]`` without a terminal (docker 29's tree view, collapsed)."""
    engine = engines.of(machine)
    if quiet:
        return "".join(f"{img.id[7:19]}\n" for _name, img in sorted(engine.images.items()))
    in_use = {c.image for c in engine.containers if c.running}
    rows = sorted((name, img) for name, img in engine.images.items())
    width = max([len("IMAGE"), *(len(n) for n, _ in rows)])
    chips = any(n in in_use for n, _ in rows)
    extra = 5
    out = ["IMAGE".ljust(width) + "   " + "ID".ljust(12) + "   " + "DISK USAGE".rjust(10)
           + "   " + "CONTENT SIZE".rjust(12) + "   " + "EXTRA".ljust(extra)]
    for name, img in rows:
        chip = ("U" if name in in_use else " ") if chips else ""
        out.append(name.ljust(width) + "   " + img.id[7:19].ljust(12) + "   "
                   + human_size(img.disk).rjust(10) + "   "
                   + human_size(img.content).rjust(12) + "   " + chip.ljust(extra))
    return "".join(f"{ln}\n" for ln in out)


_PUBLISH = re.compile(r"^(?:(\d+):)?(\d+)(?:/tcp)?$")


def run(engines: Engines, machine: str, words: list[str], now: float, names: list[str]
        ) -> Container:
    """``docker run [-d] [-p HOST:CONTAINER] [--name N] IMAGE``.

    Raises:
        EngineError: an unknown image or a port already allocated.
    """
    ports: list[tuple[int, int]] = []
    name = ""
    image = ""
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("-p", "--publish", "--name") and i + 1 < len(words):
            value = words[i + 1]
            i += 1
            if w == "--name":
                name = value
                continue
            m = _PUBLISH.match(value)
            if not m:
                raise EngineError(f'invalid argument "{value}" for "-p, --publish" flag')
            ports.append((int(m.group(1) or m.group(2)), int(m.group(2))))
        elif w.startswith("-"):
            pass  # -d, -it, --rm: no effect on what swarmsim shows
        else:
            image = w
            break
        i += 1
    engine = engines.of(machine)
    ref = familiar(image)
    if ref not in engine.images:
        pushed = engines.pushed.get(full_name(ref))
        if pushed is None:
            raise EngineError(f"Unable to find image '{ref}' locally\nswarmsim: pulling "
                              "images nobody pushed here is not simulated (build it first)")
        engine.images[ref] = LocalImage(pushed, now)
        engine.pulled.append(ref)
    for host, _ in ports:
        if engines.serving(machine, host) is not None:
            raise EngineError("docker: Error response from daemon: failed to set up container "
                              f"networking: driver failed programming external connectivity: "
                              f"Bind for 0.0.0.0:{host} failed: port is already allocated")
    cid = _digest("container", machine, len(engine.containers), now)
    container = Container(cid, ref, name or names[len(engine.containers) % len(names)],
                          tuple(ports), now)
    engine.containers.append(container)
    return container


def find_container(engines: Engines, machine: str, ref: str) -> Container:
    """A running container by id prefix or name."""
    for c in engines.of(machine).containers:
        if c.running and (c.id.startswith(ref) or c.name == ref):
            return c
    raise EngineError(f"Error response from daemon: No such container: {ref}")


def pull_lines(engines: Engines, ref: str) -> str:
    """What ``docker run`` prints (stderr) when it pulls ``ref`` first."""
    name = familiar(ref)
    repo, tag_ = name.rsplit(":", 1)
    image_id = engines.pushed[full_name(name)]
    layers = [_digest("layer", image_id, i)[:12] for i in range(4)]
    return "".join([f"Unable to find image '{name}' locally\n", f"{tag_}: Pulling from {repo}\n",
                    *(f"{layer}: Pull complete\n" for layer in layers),
                    f"Digest: sha256:{_digest('manifest', image_id)}\n",
                    f"Status: Downloaded newer image for {name}\n"])


def remove_container(engines: Engines, machine: str, ref: str, force: bool) -> None:
    """``docker container rm [-f] ID``."""
    engine = engines.of(machine)
    for c in engine.containers:
        if c.id.startswith(ref) or c.name == ref:
            if c.running and not force:
                raise EngineError(f'Error response from daemon: cannot remove container '
                                  f'"/{c.name}": container is running: stop the container '
                                  "before removing or force remove")
            engine.containers.remove(c)
            return
    raise EngineError(f"Error response from daemon: No such container: {ref}")


def remove_image(engines: Engines, machine: str, ref: str) -> str:
    """``docker image rm NAME|ID``: docker's ``Untagged:``/``Deleted:`` lines."""
    engine = engines.of(machine)
    names = [n for n, img in engine.images.items()
             if n == familiar(ref) or img.id[7:].startswith(ref)] if ref else []
    if not names:
        raise EngineError(f"Error response from daemon: No such image: {ref}")
    image = engine.images[names[0]]
    by_id = familiar(ref) not in names
    if by_id and len(names) > 1:
        raise EngineError(f"Error response from daemon: conflict: unable to delete {ref} "
                          "(must be forced) - image is referenced in multiple repositories")
    users = [c for c in engine.containers if engine.images.get(c.image) is image]
    if users:
        raise EngineError(f'Error response from daemon: conflict: unable to delete '
                          f'{familiar(ref).rsplit(":", 1)[0]} (must be forced) - container '
                          f"{users[0].id[:12]} is using its referenced image {image.id[7:19]}")
    out = []
    for name in names if by_id else [familiar(ref)]:
        del engine.images[name]
        out.append(f"Untagged: {name}")
    if image not in engine.images.values():
        out.append(f"Deleted: {image.id}")
    return "".join(f"{ln}\n" for ln in out)
