"""``docker login`` and ``docker logout``: registry credentials stored on a machine.

Credentials live in the machine's docker client configuration; the daemon of that
machine uses them to pull, and ``docker stack deploy --with-registry-auth`` sends them
along with the services (see :mod:`swarmsim.simulation.images`).  Every registry accepts the
credentials given to it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from swarmsim.commands.context import Context
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import Parsed
from swarmsim.simulation.images import DOCKER_HUB, DOCKER_HUB_LOGIN

NON_TTY = "error: cannot perform an interactive login from a non-TTY device"
INSECURE = "WARNING! Using --password via the CLI is insecure. Use --password-stdin."
NOTE = " Info -> "  # internal/tui/note.go's header without a terminal


def registry_host(server: str) -> str:
    """The registry a ``docker login SERVER`` argument names: scheme and path dropped
    (docker's ``ConvertToHostname``); Docker Hub for ``""`` and its index address."""
    if not server or server in (DOCKER_HUB_LOGIN, "index.docker.io", DOCKER_HUB):
        return DOCKER_HUB
    if "://" in server:
        return urlsplit(server).netloc
    return server.split("/", 1)[0]


def _images(ctx: Context):  # type: ignore[no-untyped-def]
    images = getattr(ctx.sim, "images", None)
    if images is None:
        raise CommandError("swarmsim: registry credentials are not simulated here")
    return images


def docker_login(ctx: Context, p: Parsed) -> None:
    """``docker login -u USER -p PASSWORD [SERVER]``: ``Login Succeeded``, the flag
    checks and the stored-credentials path of docker 29 (cli/command/registry/login.go).

    Without both a user and a password docker would prompt; commands in a scenario have
    no terminal, so it fails as docker does without one.
    """
    user, password = str(p.values["username"] or ""), str(p.values["password"] or "")
    from_stdin = bool(p.values["password-stdin"]) or password == "-"
    if from_stdin and "password" in p.changed and password != "-":  # verifyLoginFlags
        raise CommandError("conflicting options: cannot specify both --password and "
                           "--password-stdin")
    if from_stdin and "username" not in p.changed:
        raise CommandError("the --password-stdin option requires --username to be set")
    if "username" in p.changed and not user:
        raise CommandError("username is empty")
    if "password" in p.changed and not password:
        raise CommandError("password is empty")
    if from_stdin:  # a timeline's command reads an empty stdin
        raise CommandError("password is empty")
    if "password" in p.changed:
        ctx.eprint(INSECURE)
    server = p.args[0] if p.args else ""
    host = registry_host(server)
    stored = _images(ctx).logins.get(ctx.machine, {}).get(host)
    if stored and not user and not password:  # runLogin: the stored credentials first
        ctx.eprint(f"Authenticating with existing credentials... [Username: {stored}]")
        ctx.eprint(f"\n{NOTE}To login with a different account, run 'docker logout' followed "
                   "by 'docker login'\n\n")
        ctx.print("Login Succeeded")
        return
    if not user or not password:
        raise CommandError(NON_TTY)
    _images(ctx).login(ctx.machine, host, user)
    ctx.print("Login Succeeded")


def docker_logout(ctx: Context, p: Parsed) -> None:
    """``docker logout [SERVER]``: ``Removing login credentials for HOST``."""
    server = p.args[0] if p.args else ""
    host = registry_host(server)
    _images(ctx).logout(ctx.machine, host)
    shown = DOCKER_HUB_LOGIN if not server else host  # logout.go: a name given is shown
    ctx.print(f"Removing login credentials for {shown}")
