"""What docker/cli puts into a service's container spec from plain compose keys.

* ``command``/``entrypoint``: a string is split with google/shlex's rules (no shell);
  a list is used verbatim.
* ``environment`` and ``env_file``: the files are read first (relative to the compose
  file's directory), ``environment`` wins; a key without a value, or with an empty
  one, takes the CLI's environment value when that is set; numbers are printed as Go
  prints them (``1.0`` -> ``1``, ``1e20`` -> ``1e+20``); the result is sorted
  ``KEY=VAL`` (or bare ``KEY``).
* ``labels`` and ``deploy.labels``: list or mapping, plus the stack's labels.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path

from swarmsim.compose.gostr import format_value
from swarmsim.foundation.errors import InputError
from swarmsim.foundation.inputfile import read_limited

NAMESPACE_LABEL = "com.docker.stack.namespace"
IMAGE_LABEL = "com.docker.stack.image"


def shell_split(text: str) -> list[str]:
    """Split a command string as google/shlex does (docker/cli's ``command``/``entrypoint``).

    Quotes group words (``'...'`` literally, ``"..."`` with ``\\`` escaping any
    character), ``\\`` escapes outside quotes, ``#`` at the start of a word starts a
    comment to the end of the line.  ``'echo "hello world" && sleep 1'`` ->
    ``["echo", "hello world", "&&", "sleep", "1"]``.

    Raises:
        ValueError: ``EOF found when expecting closing quote`` or ``EOF found after
            escape character``.
    """
    words: list[str] = []
    word: list[str] = []
    state = "start"
    for char in text:
        if state == "comment":
            state = "start" if char == "\n" else state
        elif state in ("escape", "qescape"):
            word.append(char)
            state = "word" if state == "escape" else "dquote"
        elif state == "squote":
            if char == "'":
                state = "word"
            else:
                word.append(char)
        elif state == "dquote":
            if char == '"':
                state = "word"
            elif char == "\\":
                state = "qescape"
            else:
                word.append(char)
        elif char in " \t\r\n":
            if state == "word":
                words.append("".join(word))
                word, state = [], "start"
        elif state == "start" and char == "#":
            state = "comment"
        else:
            state = {"'": "squote", '"': "dquote", "\\": "escape"}.get(char, "word")
            if state == "word":
                word.append(char)
    if state in ("squote", "dquote"):
        raise ValueError("EOF found when expecting closing quote")
    if state in ("escape", "qescape"):
        raise ValueError("EOF found after escape character")
    if state == "word":
        words.append("".join(word))
    return words


def command(value: object) -> tuple[str, ...] | None:
    """``command``/``entrypoint``: ``None`` when absent, else the argument list."""
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(shell_split(value))
    return tuple(str(v) for v in value)  # type: ignore[attr-defined]


def mapping(value: object, *, allow_nil: bool) -> dict[str, str | None]:
    """A list-or-mapping field as docker/cli reads it.

    A mapping's values are printed Go-style (``None`` stays ``None`` when
    ``allow_nil``, else becomes ``""``); a list item ``K=V`` splits at the first ``=``
    and a bare ``K`` has no value (``None`` or ``""`` as above).
    """
    if isinstance(value, Mapping):
        empty = None if allow_nil else ""
        return {str(k): empty if v is None else format_value(v) for k, v in value.items()}
    out: dict[str, str | None] = {}
    for item in value or ():  # type: ignore[attr-defined]
        key, eq, val = str(item).partition("=")
        out[key] = val if eq else (None if allow_nil else "")
    return out


def labels(value: object, stack: str, image: str | None = None) -> tuple[tuple[str, str], ...]:
    """Labels plus ``com.docker.stack.namespace`` (and ``com.docker.stack.image`` for
    service labels), as sorted pairs."""
    out = {k: v or "" for k, v in mapping(value, allow_nil=False).items()}
    out[NAMESPACE_LABEL] = stack
    if image is not None:
        out[IMAGE_LABEL] = image
    return tuple(sorted(out.items()))


def environment(
    env_files: object, env_value: object, base_dir: Path, env: Mapping[str, str]
) -> tuple[str, ...]:
    """The container's environment: ``env_file`` entries, then ``environment``.

    Raises:
        EnvFileError: an ``env_file`` cannot be read or parsed (docker's message).
    """
    result: dict[str, str | None] = {}
    files = [env_files] if isinstance(env_files, str) else list(env_files or ())  # type: ignore[call-overload]
    for index, file in enumerate(files):
        path = file if file.startswith("/") else go_join(str(base_dir), file)
        try:
            pairs = [line.partition("=") for line in read_env_file(path, env)]
        except ValueError as err:
            raise EnvFileError(str(err), index) from None
        _merge(result, {k: v for k, _, v in pairs}, env)
    _merge(result, mapping(env_value, allow_nil=True), env)
    return tuple(sorted(k if v is None else f"{k}={v}" for k, v in result.items()))


class EnvFileError(ValueError):
    """An ``env_file`` problem; ``index`` is the entry's position in the list."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


def _merge(
    result: dict[str, str | None], values: Mapping[str, str | None], env: Mapping[str, str]
) -> None:
    for key, value in values.items():
        result[key] = env[key] if not value and key in env else value


def read_env_file(path: str, env: Mapping[str, str]) -> list[str]:
    """docker/cli's ``kvfile.Parse``.

    ``KEY=VAL`` lines are kept verbatim, a bare ``KEY`` takes its value from ``env``
    (and is dropped if unset), blank lines and ``#`` comments are skipped, leading
    whitespace is trimmed.

    Raises:
        ValueError: with docker's message (``open <path>: no such file or directory``,
            ``invalid env file (<path>): variable 'A B' contains whitespaces``, ...).
    """
    try:
        data = read_limited(path, path, "DATA_FILE")
    except InputError as err:  # "open <path>: ...", the size limit, or a directory:
        where = f"invalid env file ({path}): " if err.message.startswith("read ") else ""
        raise ValueError(where + err.message) from None
    out = []
    raw_lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.removesuffix(b"\r").decode().lstrip()
        except UnicodeDecodeError:
            shown = " ".join(str(b) for b in raw)
            raise ValueError(
                f"invalid env file ({path}): invalid utf8 bytes at line {number}: [{shown}]"
            ) from None
        if not line or line.startswith("#"):
            continue
        key, eq, _ = line.partition("=")
        if not key:
            raise ValueError(f"invalid env file ({path}): no variable name on line '{line}'")
        if " " in key or "\t" in key:
            raise ValueError(f"invalid env file ({path}): variable '{key}' contains whitespaces")
        if eq:
            out.append(line)
        elif line in env:
            out.append(f"{key}={env[line]}")
    return out


def go_join(base: str, path: str) -> str:
    """Go's ``filepath.Join`` on Unix: joined, then cleaned (``..``, ``.``, ``//``)."""
    joined = posixpath.normpath(posixpath.join(base, path) if base else path)
    return joined[1:] if joined.startswith("//") and not joined.startswith("///") else joined
