"""Command substitution, ``$(...)``, where a POSIX shell does it.

The shell that reads the line runs what is inside ``$(...)`` and puts its output (without
trailing newlines) in its place, before the line's own command runs: on the laptop for a
line typed at the laptop's prompt (even inside a double-quoted ``docker-machine ssh``
argument), on the VM for a line the VM's shell reads.  Inside single quotes nothing is
substituted, so ``docker-machine ssh myvm2 'docker ... $(cmd)'`` runs ``cmd`` on myvm2.
"""

from __future__ import annotations

from collections.abc import Callable

#: runs one command line; returns (stdout, stderr)
Runner = Callable[[str], tuple[str, str]]


class SubstError(ValueError):
    """An unterminated ``$(``, quote or an unbalanced parenthesis."""


def _closing(text: str, start: int) -> int:
    """The index of the ``)`` closing the ``$(`` whose body starts at ``start``."""
    depth, i, quote = 1, start, ""
    while i < len(text):
        c = text[i]
        if quote == "'":
            if c == "'":
                quote = ""
        elif c == "\\" and i + 1 < len(text):
            i += 1
        elif quote == '"':
            if c == '"':
                quote = ""
            elif text.startswith("$(", i):
                i = _closing(text, i + 2)
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise SubstError("unexpected EOF while looking for matching `)'")


def substitute(text: str, run: Runner) -> tuple[str, str]:
    """``text`` with every ``$(...)`` outside single quotes replaced by what ``run``
    printed; also what the substituted commands printed on stderr.

    Raises:
        SubstError: an unterminated substitution.
    """
    out: list[str] = []
    errors: list[str] = []
    i, quote = 0, ""
    while i < len(text):
        c = text[i]
        if quote == "'":
            quote = "" if c == "'" else quote
        elif c == "\\" and i + 1 < len(text):
            out.append(text[i:i + 2])
            i += 2
            continue
        elif text.startswith("$(", i):
            end = _closing(text, i + 2)
            inner, inner_err = substitute(text[i + 2:end], run)  # innermost first
            stdout, stderr = run(inner)
            errors += [inner_err, stderr]
            out.append(stdout.rstrip("\n"))
            i = end + 1
            continue
        elif c == '"':
            quote = "" if quote == '"' else '"'
        elif c == "'" and not quote:
            quote = "'"
        out.append(c)
        i += 1
    if quote:
        raise SubstError(f"unexpected EOF while looking for matching `{quote}'")
    return "".join(out), "".join(errors)


def strip_comment(text: str) -> str:
    """``text`` without its comment: from a ``#`` that starts a word outside quotes."""
    quote = ""
    for i, c in enumerate(text):
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text
