"""Reading a docker command line the way the docker CLI (cobra and pflag) reads it.

:func:`parse` splits a line as :mod:`shlex` does (:func:`shell_words`), finds the
command in the table of :mod:`swarmsim.input.cmdline.catalog`, and reads its flags and
arguments, failing with the CLI's own usage errors (``unknown flag: --foo``,
``docker: 'docker node update' requires 1 argument`` ...) and exit statuses (125 for
flag errors, 1 otherwise).

The reading follows docker 29.7: the global flags before the command are read first
(they stop at the first word that is not a flag); then cobra walks down the command
tree, giving the flags met before a subcommand to its group (which has none but
``--help``); the subcommand's own flags may come before, between or after its
arguments.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from swarmsim.compose.gostr import parse_int, quote
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline import usage
from swarmsim.input.cmdline.catalog import (
    COMMANDS,
    GLOBAL_FLAGS,
    GROUP_FLAGS,
    GROUPS,
    HELP,
    OTHER_DOCKER_COMMANDS,
    ROOT_USE,
    TOP_COMMANDS,
    Command,
    Flag,
)
from swarmsim.input.cmdline.words import shell_words

_JOIN_TOKEN = re.compile(
    r"\$\(\s*docker\s+swarm\s+join-token\s+"
    r"(?:(?:-q|--quiet)\s+(worker|manager)|(worker|manager)\s+(?:-q|--quiet))\s*\)"
)
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")


@dataclass(frozen=True, slots=True)
class Parsed:
    """A command line, read.

    Attributes:
        command: the command (``docker node ls``).
        args: the positional arguments.
        values: flag values by long name (defaults filled in).
        changed: the flags given on the line.
        notices: pflag's lines about deprecated flags, which docker prints on stdout
            before the command runs.
    """

    command: Command
    args: tuple[str, ...]
    values: dict[str, Any] = field(default_factory=dict)
    changed: frozenset[str] = frozenset()
    notices: tuple[str, ...] = ()


def substitute_tokens(line: str, tokens: tuple[str, str] | None) -> str:
    """Replace ``$(docker swarm join-token -q worker|manager)`` by the current token
    (empty when there is no swarm), as the shell would before docker runs."""

    def token(match: re.Match[str]) -> str:
        if tokens is None:
            return ""
        role = match.group(1) or match.group(2)
        return tokens[0] if role == "worker" else tokens[1]

    return _JOIN_TOKEN.sub(token, line)


def split(line: str) -> list[str]:
    """The words of ``line`` as a POSIX shell splits them.

    Raises:
        CommandError: unbalanced quotes.
    """
    try:
        return shell_words(line)
    except ValueError as exc:
        raise CommandError(f"swarmsim: cannot read the command line: {exc}") from None


def parse(words: list[str]) -> Parsed:
    """Find the docker command in ``words`` (``["docker", "node", "ls", "-q"]``) and
    read its flags and arguments.

    Raises:
        CommandError: docker's usage errors; help (exit status 0, the text in
            ``output``, or in ``message`` for docker's help on stderr).
    """
    if not words or words[0] != "docker":
        name = words[0] if words else ""
        raise CommandError(f"swarmsim: {name}: command not found", exit_code=127)
    try:
        read = _read_words(GLOBAL_FLAGS, words[1:], interspersed=False)
    except _Problem as problem:
        raise usage.usage_error(str(problem), ROOT_USE, "docker") from None
    for flag in GLOBAL_FLAGS:
        if flag.name in read.changed and not flag.supported:
            raise CommandError(f"swarmsim: docker's global flag --{flag.name} is not simulated")
    if not read.notices:
        return _dispatch(read.args, bool(read.values["help"]))
    try:
        return _dispatch(read.args, bool(read.values["help"]))
    except CommandError as err:  # docker's own flag set writes pflag's notices on stderr
        message = "\n".join(m for m in (*read.notices, err.message) if m)
        raise CommandError(message, exit_code=err.exit_code, output=err.output) from None


def _dispatch(rest: list[str], asked: bool) -> Parsed:
    """The words after docker's global flags: a group, ``help``, or no command."""
    if not rest:
        if asked:
            raise usage.help_result(usage.root_help())
        raise usage.help_on_stderr(usage.root_help())  # docker alone
    group = rest[0]
    if group in GROUPS:
        return _traverse(group, rest[1:], asked)
    if group == "help":
        raise _help_topic(rest[1:])
    if group in TOP_COMMANDS:
        return _read(TOP_COMMANDS[group], rest[1:], asked, [])
    if group in OTHER_DOCKER_COMMANDS:
        raise CommandError(
            f"swarmsim: 'docker {group}' is not simulated (swarmsim runs docker swarm, "
            "node, service and stack commands)"
        )
    try:  # no such command: the root command runs with the words
        again = _read_words(GLOBAL_FLAGS, rest)
    except _Problem as problem:
        raise usage.usage_error(str(problem), ROOT_USE, "docker") from None
    if asked or again.values["help"]:
        raise usage.help_result(usage.root_help(), notices=again.notices)
    raise usage.unknown_command("docker", group, None)


def _traverse(group: str, words: list[str], asked: bool) -> Parsed:
    """cobra's ``Traverse`` below ``docker <group>``: flags before the subcommand are the
    group's; a flag without ``=`` takes the next word as its value (only ``--help``
    and ``-h`` take none).  The group's notices are printed when it has read them."""
    before: list[str] = []
    takes_value = False
    for i, word in enumerate(words):
        if word.startswith("--") and "=" not in word:
            takes_value = word != "--help"
        elif word.startswith("-") and "=" not in word and len(word) == 2 and word != "-h":
            takes_value = True
        elif takes_value:
            takes_value = False
        elif not _is_flag(word):
            command = _find(group, word)
            if command is None:
                break
            try:
                read = _read_words((*GROUP_FLAGS.get(group, ()), HELP), before)
            except _Problem as problem:
                raise CommandError(str(problem)) from None  # Traverse reports it bare
            if not command.supported:
                raise CommandError(f"swarmsim: '{command.path}' is not simulated")
            asked = asked or bool(read.values["help"])
            return _read(command, words[i + 1 :], asked, read.notices)
        before.append(word)
    return _run_group(group, words, asked)


def _help_topic(topic: list[str]) -> CommandError:
    """``docker help [GROUP [COMMAND]]``: that help on stdout (``cli/cobra.go``
    ``helpCommand``)."""
    if not topic:
        return usage.help_result(usage.root_help())
    group, rest = topic[0], topic[1:]
    if group not in GROUPS:
        return CommandError(f"unknown help topic: {' '.join(topic)}")
    if not rest:
        return usage.help_result(usage.group_help(group))
    command = _find(group, rest[0])
    if command is None or rest[1:]:
        left = rest if command is None else rest[1:]
        return CommandError(f"unknown help topic: {' '.join(left)}")
    return usage.help_result(command.help())


def _run_group(group: str, words: list[str], asked: bool) -> Parsed:
    """``docker <group> ...`` without a subcommand: help, or docker's usage errors."""
    try:
        read = _read_words((*GROUP_FLAGS.get(group, ()), HELP), words)
    except _Problem as problem:
        raise usage.usage_error(
            str(problem), usage.group_use_line(group), f"docker {group}"
        ) from None
    if asked or read.values["help"]:
        raise usage.help_result(usage.group_help(group), notices=read.notices)
    if not read.args:
        raise usage.help_on_stderr(usage.group_help(group)).with_output(read.notices)
    raise usage.unknown_command(
        f"docker {group}", read.args[0], usage.group_use_line(group)
    ).with_output(read.notices)


def _is_flag(word: str) -> bool:
    """cobra's ``isFlagArg``: ``--x...`` or ``-x...``."""
    return (len(word) >= 3 and word[:2] == "--") or (
        len(word) >= 2 and word[0] == "-" and word[1] != "-"
    )


def _find(group: str, sub: str) -> Command | None:
    for command in COMMANDS:
        if command.group == group and (sub == command.name or sub in command.aliases):
            return command
    return None


def _read(command: Command, words: list[str], asked: bool, notices: list[str]) -> Parsed:
    """The subcommand's flags and arguments: flag errors first, then ``--help``, then
    the argument count (cobra's order).  ``notices``: the group's, already printed."""
    inherited = GROUP_FLAGS.get(command.group, ())
    try:
        read = _read_words((*command.flags, *inherited, HELP), words,
                           interspersed=command.interspersed)
    except _Problem as problem:
        error = usage.usage_error(str(problem), command.use_line, command.path)
        raise error.with_output(notices) from None
    notices = [*notices, *read.notices]
    if asked or read.values["help"]:
        raise usage.help_result(command.help(), notices=notices)
    try:
        command.check_args(read.args)
    except CommandError as err:
        raise err.with_output(notices) from None
    hidden = {HELP.name, *(f.name for f in inherited)}
    values = {name: value for name, value in read.values.items() if name not in hidden}
    changed = frozenset(read.changed - hidden)
    return Parsed(command, tuple(read.args), values, changed, tuple(notices))


class _Problem(Exception):
    """A word pflag cannot read; the message is pflag's."""


@dataclass
class _Words:
    """What pflag read: flag values, the flags given, the other words, and the notices
    it wrote about deprecated flags and shorthands."""

    values: dict[str, Any]
    changed: set[str] = field(default_factory=set)
    args: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def _read_words(flags: Sequence[Flag], words: list[str], *, interspersed: bool = True) -> _Words:
    """pflag's ``Parse``: flags anywhere (or, not ``interspersed``, up to the first
    other word); ``--`` ends the flags.

    Raises:
        _Problem: the first word pflag cannot read.
    """
    longs = {f.name: f for f in flags}
    shorts = {f.short: f for f in flags if f.short}
    out = _Words({f.name: f.default() for f in flags})
    rest = deque(words)  # popped from the left: a list's pop(0) is quadratic in words
    while rest:
        word = rest.popleft()
        if len(word) < 2 or word[0] != "-":
            out.args.append(word)
            if not interspersed:
                out.args.extend(rest)
                break
        elif word == "--":
            out.args.extend(rest)
            break
        elif word.startswith("--"):
            _read_long(word, rest, longs, out)
        else:
            _read_shorts(word, rest, shorts, out)
    return out


def _read_long(word: str, rest: deque[str], longs: dict[str, Flag], out: _Words) -> None:
    """``--name``, ``--name=value`` or ``--name value`` (consumes from ``rest``)."""
    name = word[2:]
    if not name or name[0] in "-=":
        raise _Problem(f"bad flag syntax: {word}")
    name, eq, value = name.partition("=")
    flag = longs.get(name)
    if flag is None:
        raise _Problem(f"unknown flag: --{name}")
    if not eq:
        if flag.kind == "bool":
            value = "true"
        elif rest:
            value = rest.popleft()
        else:
            raise _Problem(f"flag needs an argument: --{name}")
    _set(flag, value, out)


def _read_shorts(word: str, rest: deque[str], shorts: dict[str, Flag], out: _Words) -> None:
    """``-q``, ``-qf``, ``-c file``, ``-cfile``, ``-f=false``; pflag names the letters
    still unread in its errors (``-qx`` -> ``'x' in -x``)."""
    at, end = 1, len(word)  # an index, not a shrinking copy: linear in the word's length
    while at < end:
        letter = word[at]
        flag = shorts.get(letter)
        if flag is None:
            raise _Problem(f"unknown shorthand flag: {_rune(letter)} in -{word[at:]}")
        if end - at > 2 and word[at + 1] == "=":
            value, at = word[at + 2:], end
        elif flag.kind == "bool":
            value, at = "true", at + 1
        elif end - at > 1:
            value, at = word[at + 1:], end
        elif rest:
            value, at = rest.popleft(), end
        else:
            raise _Problem(f"flag needs an argument: {_rune(letter)} in -{word[at:]}")
        if flag is HELP:
            out.notices.append(usage.SHORTHAND_HELP_NOTICE)
        _set(flag, value, out)


def _rune(letter: str) -> str:
    """Go's ``%q`` of a rune: ``'x'``."""
    return "'\\''" if letter == "'" else "'\\\\'" if letter == "\\" else f"'{letter}'"


def _set(flag: Flag, text: str, out: _Words) -> None:
    """Store a flag's value as pflag converts it.

    Raises:
        _Problem: ``invalid argument "x" for "-f, --force" flag: ...``.
    """
    shown = f"-{flag.short}, --{flag.name}" if flag.short else f"--{flag.name}"
    value: Any = text
    if flag.kind == "bool":
        if text not in _TRUE + _FALSE:
            cause = f"strconv.ParseBool: parsing {quote(text)}: invalid syntax"
            raise _Problem(f"invalid argument {quote(text)} for {quote(shown)} flag: {cause}")
        value = text in _TRUE
    elif flag.kind == "uint":  # service update's Uint64Opt: strconv.ParseUint(s, 0, 64)
        number, reason = parse_int(text, 0, unsigned=True)
        if number is None:
            cause = f"strconv.ParseUint: parsing {quote(text)}: {reason}"
            raise _Problem(f"invalid argument {quote(text)} for {quote(shown)} flag: {cause}")
        value = number
    elif flag.kind == "list":
        items = (next(csv.reader([text]), []) if text else []) if flag.comma else [text]
        value = [*out.values[flag.name], *items]
    if flag.deprecated:
        out.notices.append(f"Flag --{flag.name} has been deprecated, {flag.deprecated}")
    out.values[flag.name] = value
    out.changed.add(flag.name)
