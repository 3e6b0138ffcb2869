"""What the docker CLI prints about its own usage: help texts and usage errors.

The texts are docker CLI 29.7's: the usage template of ``cli/cobra.go`` for help, its
``FlagErrorFunc`` for flag errors (exit status 125), ``cli/required.go`` for a group
given an unknown subcommand and ``cmd/docker/docker.go`` for an unknown top-level
command.  Help goes to stdout when asked for with ``--help``; a group (or ``docker``)
run without a subcommand prints it on stderr and succeeds.
"""

from __future__ import annotations

from collections.abc import Sequence

from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.catalog import COMMANDS, GROUP_USES, GROUPS, OTHER_SWARM_GROUPS

#: what pflag writes when ``-h`` is used: docker marks the shorthand deprecated
#: (``MarkShorthandDeprecated("help", "use --help")`` in ``cli/cobra.go``)
SHORTHAND_HELP_NOTICE = "Flag shorthand -h has been deprecated, use --help"
#: the root command's ``additionalHelp`` annotation, printed at the end of its help
GUIDES = "For more help on how to use Docker, head to https://docs.docker.com/go/guides/"
#: cobra's minimum width of a command name in command lists
_MIN_NAME_PADDING = 11


def root_help() -> str:
    """``docker --help``, abridged to its Swarm Commands section.

    docker also lists its common, management and other commands and the global
    options, between the description and the closing lines kept here.
    """
    groups = sorted({**GROUPS, **OTHER_SWARM_GROUPS}.items())
    # rpad(name + " ", NamePadding + 1): names padded to 12 columns
    width = _MIN_NAME_PADDING + 1
    lines = [
        "Usage:  docker [OPTIONS] COMMAND",
        "",
        "A self-sufficient runtime for containers",
        "",
        "Swarm Commands:",
        *(f"  {name + ' ':<{width}}{short}" for name, short in groups),
        "",
        "Run 'docker COMMAND --help' for more information on a command.",
        "",
        GUIDES,
    ]
    return "\n".join(lines) + "\n"


def group_use_line(group: str) -> str:
    """The group's usage line as cobra's ``UseLine`` gives it (``docker stack [OPTIONS]``)."""
    return f"docker {GROUP_USES[group]}"


def group_help(group: str) -> str:
    """``docker <group> --help``: its subcommands, sorted, with their descriptions."""
    cmds = sorted((c for c in COMMANDS if c.group == group), key=lambda c: c.name)
    pad = max([_MIN_NAME_PADDING, *(len(c.name) for c in cmds)])
    lines = [f"Usage:  docker {group} COMMAND", "", GROUPS[group], "", "Commands:"]
    lines += [f"  {c.name:<{pad}} {c.short}" for c in cmds]
    lines += ["", f"Run 'docker {group} COMMAND --help' for more information on a command."]
    return "\n".join(lines) + "\n"


def usage_error(problem: str, use_line: str, path: str) -> CommandError:
    """A flag the command cannot read (``FlagErrorFunc``): exit status 125.

    Args:
        problem: pflag's text, e.g. ``unknown flag: --foo``.
        use_line: the command's usage line (``docker node ls [OPTIONS]``).
        path: the command (``docker node ls``).
    """
    return CommandError(
        f"{problem}\n\nUsage:  {use_line}\n\nRun '{path} --help' for more information",
        exit_code=125,
    )


def unknown_command(path: str, word: str, use_line: str | None) -> CommandError:
    """``docker: unknown command: docker node foo`` (exit status 1).

    Args:
        path: the command that has no such subcommand (``docker node``, ``docker``).
        word: the word that named none.
        use_line: the usage line shown below it; None for ``docker`` itself, whose
            message has none.
    """
    usage = f"\n\nUsage:  {use_line}" if use_line is not None else ""
    return CommandError(
        f"docker: unknown command: {path} {word}{usage}\n\n"
        f"Run '{path} --help' for more information"
    )


def help_result(text: str, *, notices: Sequence[str] = ()) -> CommandError:
    """``--help``: the text on stdout, exit status 0.

    Args:
        text: the help text.
        notices: pflag's notices about deprecated flags (``-h``), which cobra prints
            with the command's output, before the help.
    """
    lines = [*notices, *text.rstrip("\n").split("\n")]
    return CommandError("", exit_code=0, output=tuple(lines))


def help_on_stderr(text: str) -> CommandError:
    """A group (or ``docker``) run without a subcommand: its help on stderr, exit 0."""
    return CommandError(text.rstrip("\n"), exit_code=0)
