"""The shell's docker commands for a machine's own engine: ``build``, ``tag``, ``push``,
``image ls`` / ``images``, ``run`` and ``stop`` (see :mod:`swarmsim.shell.engine_local`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from swarmsim.commands import control_api
from swarmsim.commands.getstarted import STARTED
from swarmsim.commands.service_create import generated_name
from swarmsim.manager.controlapi import tagged_image
from swarmsim.shell import engine_local as el
from swarmsim.shell.reply import Reply
from swarmsim.simulation.images import registry_of

if TYPE_CHECKING:
    from swarmsim.shell.laptop import Laptop


def local_command(session: Laptop, machine: str, words: list[str]) -> Reply:
    """One such command line (``words`` from ``docker``).

    Raises:
        EngineError: docker's error text.
    """
    engines, now = session.engines, session.sim.now
    cmd = words[1:3] if words[1] in ("image", "container") else words[1:2]
    rest = words[len(cmd) + 1:]
    name = cmd[-1]
    args = [w for w in rest if not w.startswith("-")]
    if name == "build":
        tag, context = "", ""
        i = 0
        while i < len(rest):
            if rest[i] in ("-t", "--tag") and i + 1 < len(rest):
                tag = rest[i + 1]
                i += 1
            elif not rest[i].startswith("-"):
                context = rest[i]
            i += 1
        if not context:
            raise el.EngineError("ERROR: docker: 'docker buildx build' requires 1 argument")
        progress = el.build(engines, machine, tag or "<none>", session.cwd / context, now)
        _unpublished(session, machine, tag)
        return Reply("", progress)
    if name == "tag":
        if len(args) != 2:
            raise el.EngineError("docker: 'docker tag' requires 2 arguments")
        el.tag(engines, machine, args[0], args[1])
        _unpublished(session, machine, args[1])
        return Reply()
    if name == "push":
        if len(args) != 1:
            raise el.EngineError("docker: 'docker push' requires 1 argument")
        images = session.sim.images
        logged_in = images.has_login(machine, registry_of(args[0]))
        out = el.push(engines, machine, args[0], logged_in)
        images.unpublished.discard(tagged_image(args[0]))  # now the registry has it
        return Reply(out)
    shorts = "".join(w[1:] for w in rest if w.startswith("-") and not w.startswith("--"))
    if name in ("ls", "list", "images"):
        return Reply(el.image_ls(engines, machine, quiet="q" in shorts or "--quiet" in rest))
    if name == "run":
        names = [generated_name(session.sim.ids.new_id()) for _ in range(1)]
        before = len(engines.of(machine).pulled)
        container = el.run(engines, machine, rest, now, names)
        pulled = engines.of(machine).pulled[before:]
        pull = el.pull_lines(engines, pulled[0]) if pulled else ""
        if "d" in shorts.replace("p", "") or "--detach" in rest:
            return Reply(container.id + "\n", pull)

        return Reply(STARTED + "\n", pull + "swarmsim: the container keeps running in the "
                     f"background (docker container stop {container.id[:12]} stops it)\n")
    force = "f" in shorts or "--force" in rest
    if name in ("stop", "kill", "rm", "rmi"):
        outs, errs = [], []
        for ref in args:  # docker goes on with the others after an error
            try:
                if name in ("stop", "kill"):
                    el.find_container(engines, machine, ref).stop(now)
                    outs.append(f"{ref}\n")
                elif name == "rm" and cmd[0] == "container":
                    el.remove_container(engines, machine, ref, force)
                    outs.append(f"{ref}\n")
                else:
                    outs.append(el.remove_image(engines, machine, ref))
            except el.EngineError as err:
                errs.append(f"{err}\n")
        return Reply("".join(outs), "".join(errs), 1 if errs else 0)
    raise el.EngineError(f"swarmsim: 'docker {' '.join(cmd)}' is not simulated")


def _unpublished(session: Laptop, machine: str, ref: str) -> None:
    """A name the machine's engine just made: no registry has it (until it is pushed),
    and the machine's own swarm node has it on disk."""
    image = tagged_image(ref)
    images = session.sim.images
    if session.engines.pushed.get(el.full_name(ref)) is None:
        images.unpublished.add(image)
    node = control_api(session.sim).node_of(machine)
    if node is not None:
        images.load(node.id, image)
