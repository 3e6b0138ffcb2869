"""Errors raised on bad input.

Every problem with a user's file becomes an :class:`InputError` carrying docker's own
message text (``message``), the file, the line and the key path.  ``str(err)`` is the
one-line form the CLI prints: ``docker-compose.yml:12: services.web.deploy.replicas must
be a integer``.
"""

from __future__ import annotations


class SwarmsimError(Exception):
    """Base class of every error swarmsim raises on purpose."""


class InputError(SwarmsimError):
    """Bad input: a compose file, a scenario file or a command.

    Attributes:
        message: the text docker prints for this problem (may span several lines, as
            docker's "unsupported options" block does), or swarmsim's own where docker
            has none.
        file: the file the problem is in, as the user named it (or ``None``).
        line: 1-based line number of the offending key or value (or ``None``).
        path: dotted key path, e.g. ``services.web.deploy.replicas`` (or ``None``).
        keys: the same path as a tuple of mapping keys and list indexes, when known
            (used to find the line; dotted paths are ambiguous for keys with dots).
        warnings: what docker printed on stderr before this error (the ``Ignoring
            unsupported options`` block of a compose file that fails after it), or "".
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        path: str | None = None,
        keys: tuple[str | int, ...] | None = None,
        warnings: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.path = path if path is not None or keys is None else dotted(keys)
        self.keys = keys
        self.warnings = warnings

    def located(
        self, *, file: str | None = None, line: int | None = None, path: str | None = None
    ) -> InputError:
        """Return a copy with missing location fields filled in (existing ones win)."""
        err = InputError(
            self.message,
            file=self.file or file,
            line=self.line if self.line is not None else line,
            path=self.path or path,
            keys=self.keys,
            warnings=self.warnings,
        )
        err.__cause__ = self.__cause__
        return err

    def oneline(self) -> str:
        """docker's message folded onto one line (blank lines dropped)."""
        parts = [p.strip() for p in self.message.splitlines() if p.strip()]
        text = " ".join(parts)
        if self.path and not _mentions(text, self.path):
            text = f"{self.path}: {text}"
        return text

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        return where + self.oneline()


def _mentions(text: str, path: str) -> bool:
    if path in text:
        return True
    # docker's convert errors say "service web: ..." for services.web.*
    parts = path.split(".")
    return len(parts) >= 2 and parts[0] == "services" and f"service {parts[1]}" in text


def dotted(keys: tuple[str | int, ...]) -> str:
    """Join a key path the way docker prints it: ``services.web.ports.0``."""
    return ".".join(str(k) for k in keys) if keys else "(root)"


class CommandError(Exception):
    """A docker command failed.

    Attributes:
        message: docker's full stderr text (without the final newline), e.g.
            ``Error response from daemon: node abc is not down and can't be removed``.
        exit_code: the CLI's exit status (1, or 125 for flag errors).
        output: what the command had already written to stdout, line by line (a stack
            deploy that fails half-way has created some networks and services).
    """

    def __init__(self, message: str, *, exit_code: int = 1, output: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.output = output

    def with_output(self, lines: list[str] | tuple[str, ...]) -> CommandError:
        """The same error, with the stdout lines written before it."""
        return CommandError(self.message, exit_code=self.exit_code, output=tuple(lines))
