"""``docker login`` in the shell, as docker 29's CLI runs it (cli/command/registry/
login.go, runLogin):

* stored credentials for the registry and no ``-u``/``-p``: ``Authenticating with
  existing credentials... [Username: U]`` and an Info note (any TTY);
* otherwise, without a terminal and with something missing: ``error: cannot perform an
  interactive login from a non-TTY device``;
* Docker Hub, nothing given: the web-based device-code login (internal/oauth/manager/
  manager.go, LoginDevice): ``USING WEB-BASED LOGIN``, a note, the one-time code and
  ``https://login.docker.com/activate``.  There is no browser here: the shell asks which
  Docker ID signs in, then the login completes;
* else the prompts of cli/command/registry.go (PromptUserForCredentials): ``Username: ``
  and, hidden, ``Password: `` (after a note on Personal Access Tokens for Docker Hub).

``--password-stdin`` reads ``echo PASSWORD | docker login -u USER --password-stdin``'s
echo (or, on a terminal, one typed line).  Notes print as docker prints them without
colours: `` Info -> `` when not on a terminal, ``i Info → `` on one (internal/tui/note.go).
"""

from __future__ import annotations

import hashlib
import shlex
from typing import TYPE_CHECKING

from swarmsim.commands import run_command
from swarmsim.commands.login import INSECURE, NON_TTY, registry_host
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import parse
from swarmsim.shell.reply import Reply
from swarmsim.simulation.images import DOCKER_HUB

if TYPE_CHECKING:
    from swarmsim.shell.laptop import Laptop

ACTIVATE = "https://login.docker.com/activate"
_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"  # the device codes' alphabet (no vowels)


def note(text: str, tty: bool) -> str:
    """tui's ``PrintNote``: a blank line, the header, each line indented under it."""
    header = "i Info → " if tty else " Info -> "
    lines = text.split("\n")
    return "\n" + header + lines[0] + "\n" + "".join(
        " " * len(header) + ln + "\n" for ln in lines[1:])


def device_code(seed: str) -> str:
    """A one-time code of the form ``ABCD-EFGH``."""
    digest = hashlib.sha256(seed.encode()).digest()
    letters = "".join(_CODE_LETTERS[b % len(_CODE_LETTERS)] for b in digest[:8])
    return f"{letters[:4]}-{letters[4:]}"


def device_block(code: str) -> str:
    """What LoginDevice writes (stderr) before it waits for the browser."""
    return ("\nUSING WEB-BASED LOGIN\n"
            + note("To sign in with credentials on the command line, use "
                   "'docker login -u <username>'\n", True)
            + f"\nYour one-time device confirmation code is: {code}\n"
            f"Press ENTER to open your browser or submit your device code here: {ACTIVATE}\n"
            "\nWaiting for authentication in the browser…\n")


def wants_login(words: list[str]) -> bool:
    """A ``docker login`` line."""
    return words[1:2] == ["login"]


def login_command(session: Laptop, machine: str, words: list[str],
                  stdin: str | None = None) -> Reply:
    """One ``docker login`` line; ``stdin``: what a pipe into it wrote."""
    try:
        parsed = parse(words)
    except CommandError as bad:
        return Reply("", bad.message + "\n", bad.exit_code)
    v, changed = parsed.values, parsed.changed
    user, password = str(v["username"] or ""), str(v["password"] or "")
    from_stdin = bool(v["password-stdin"]) or password == "-"
    tty = session.ask is not None
    err = ""
    try:  # verifyLoginFlags, then verifyLoginOptions
        if from_stdin and "password" in changed and password != "-":
            raise CommandError("conflicting options: cannot specify both --password and "
                               "--password-stdin")
        if from_stdin and "username" not in changed:
            raise CommandError("the --password-stdin option requires --username to be set")
        if "username" in changed and not user:
            raise CommandError("username is empty")
        if "password" in changed and not password:
            raise CommandError("password is empty")
        if password == "-":
            password = ""
        if password:
            err += INSECURE + "\n"
        if from_stdin:
            if stdin is None and session.ask is not None:
                stdin = session.ask("", False) + "\n"
            password = (stdin or "").removesuffix("\n").removesuffix("\r")
            if not password.strip():
                raise CommandError("password is empty")
    except CommandError as bad:
        return Reply("", err + bad.message + "\n", 1)
    server = parsed.args[0] if parsed.args else ""
    host = registry_host(server)
    images = session.sim.images
    stored = images.logins.get(machine, {}).get(host)
    if stored and not user and not password:
        err += (f"Authenticating with existing credentials... [Username: {stored}]\n"
                + note("To login with a different account, run 'docker logout' followed by "
                       "'docker login'", tty) + "\n\n")
        return Reply("Login Succeeded\n", err)
    if (not user or not password) and session.ask is None:
        return Reply("", err + NON_TTY + "\n", 1)
    out = ""
    if host == DOCKER_HUB and not user and not password:
        assert session.ask is not None
        code = device_code(f"{machine}:{session.sim.now}:{len(images.logins)}")
        block = device_block(code)
        user = session.ask(block + "swarmsim: no browser here; the Docker ID that signs in: ",
                           False).strip()
        if not user:
            return Reply("", err + "failed waiting for authentication: access "
                         "denied\n", 1)
        images.login(machine, host, user)
        return Reply("Login Succeeded\n", err)  # the block was on screen with the question
    if not user:
        assert session.ask is not None
        user = session.ask("Username: ", False).strip()
        if not user:
            return Reply("", err + "error: username is required\n", 1)
    if not password.strip():
        assert session.ask is not None
        pat = note("A Personal Access Token (PAT) can be used instead.\nTo create a PAT, "
                   "visit https://app.docker.com/settings\n\n", True) if host == DOCKER_HUB else ""
        # the echo of Enter is off: getpass ends the line, as docker's own newline does
        password = session.ask(pat + "Password: ", True)
        if not password:
            return Reply(out, err + "error: password is required\n", 1)
    res = run_command(session.sim, shlex.join(["docker", "login", "-u", user, "-p", password,
                                               *parsed.args]), on=machine)
    return Reply(out + res.output, err + res.error.replace(INSECURE + "\n", ""), res.exit_code)
