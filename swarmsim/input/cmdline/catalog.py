"""The docker commands swarmsim knows: names, usage lines, arguments and flags.

Texts are docker CLI 29.7's (``Use``/``Short`` of each cobra command, the argument
checks of ``cli/required.go``).  Commands and flags docker has but swarmsim does not
simulate are listed too (``supported=False``), so they fail with a clear message
instead of docker's "unknown" errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from swarmsim.foundation.errors import CommandError

GROUPS = {
    "node": "Manage Swarm nodes",
    "service": "Manage Swarm services",
    "stack": "Manage Swarm stacks",
    "swarm": "Manage Swarm",
}
#: the cobra ``Use`` of each group (``docker stack`` declares ``stack [OPTIONS]``)
GROUP_USES = {"node": "node", "service": "service", "stack": "stack [OPTIONS]", "swarm": "swarm"}
#: the swarm groups docker manages but swarmsim does not simulate, for the root help
OTHER_SWARM_GROUPS = {"config": "Manage Swarm configs", "secret": "Manage Swarm secrets"}
#: the root command's ``Use``
ROOT_USE = "docker [OPTIONS] COMMAND [ARG...]"

#: top-level docker commands outside swarm mode
OTHER_DOCKER_COMMANDS = frozenset(
    "attach build builder checkpoint commit config container context cp create diff events "
    "exec export history image images import info inspect kill load login logout logs "
    "manifest network pause plugin port ps pull push rename restart rm rmi run save search "
    "secret start stop system tag top trust unpause update version volume wait".split()
)


@dataclass(frozen=True)
class Flag:
    """A command-line flag.

    Attributes:
        name: the long name (``availability``).
        short: the one-letter form (``q``), or "".
        kind: ``bool``, ``string``, ``uint`` or ``list`` (repeatable).
        value: the default.
        supported: False for docker flags swarmsim does not simulate.
        comma: a list flag whose values may be comma-separated (pflag StringSlice).
        deprecated: for a flag docker accepts but ignores, what pflag says each time
            it is given (``Flag --x has been deprecated, <deprecated>``), else "".
    """

    name: str
    short: str = ""
    kind: str = "bool"
    value: Any = None
    supported: bool = True
    comma: bool = False
    deprecated: str = ""

    def default(self) -> Any:
        """The value when the flag is not given."""
        if self.kind == "list":
            return []
        if self.kind == "bool":
            return bool(self.value)
        return self.value


@dataclass(frozen=True)
class Command:
    """One ``docker <group> <name>`` command.

    Attributes:
        group: ``swarm``, ``node``, ``stack`` or ``service``.
        name: the subcommand (``ls``).
        use: cobra's ``Use`` (``ls [OPTIONS]``).
        short: the one-line description.
        args: ``(min, max)`` positional arguments; ``max`` None for unbounded.
        flags: its flags.
        aliases: other names (``list``).
        supported: False for commands swarmsim does not simulate.
    """

    group: str
    name: str
    use: str
    short: str
    args: tuple[int, int | None] = (0, 0)
    flags: tuple[Flag, ...] = ()
    aliases: tuple[str, ...] = ()
    supported: bool = True
    interspersed: bool = True  # False: flags stop at the first argument (service create)

    @property
    def path(self) -> str:
        """``docker node ls`` (``docker login`` for a command outside the groups)."""
        return " ".join(w for w in ("docker", self.group, self.name) if w)

    @property
    def use_line(self) -> str:
        """``docker node ls [OPTIONS]``."""
        return " ".join(w for w in ("docker", self.group, self.use) if w)

    def check_args(self, args: list[str]) -> None:
        """The argument-count check of the command (docker's ``cli/required.go``).

        Raises:
            CommandError: e.g. ``docker: 'docker node update' requires 1 argument``,
                followed by the usage line and where to get help.
        """
        low, high = self.args
        n = len(args)
        if low <= n and (high is None or n <= high):
            return
        where = f"docker: '{self.path}'"
        hint = "Run"
        if high == 0:
            head = f"{where} accepts no arguments"
        elif low == high:
            head = f"{where} requires {low} {_plural(low)}"
        elif high is None:
            head = f"{where} requires at least {low} {_plural(low)}"
            hint = "See"  # RequiresMinArgs alone says "See", cli/required.go
        elif low == 0:
            head = f"{where} requires at most {high} {_plural(high)}"
        else:
            head = f"{where} requires at least {low} and at most {high} {_plural(high)}"
        raise CommandError(
            f"{head}\n\nUsage:  {self.use_line}\n\n{hint} '{self.path} --help' for more "
            "information"
        )

    def help(self) -> str:
        """What ``--help`` prints (usage, description, aliases, flag names)."""
        lines = [f"Usage:  {self.use_line}", "", self.short]
        if self.aliases:
            names = ", ".join(f"docker {self.group} {a}" for a in (self.name, *self.aliases))
            lines += ["", "Aliases:", f"  {names}"]
        if self.flags:
            lines += ["", "Options:"]
            for f in self.flags:
                short = f"-{f.short}, " if f.short else "    "
                lines.append(f"  {short}--{f.name}")
        return "\n".join(lines) + "\n"


def _plural(n: int) -> str:
    return "argument" if n == 1 else "arguments"


def _flags(*specs: str) -> tuple[Flag, ...]:
    """Flags from compact specs: ``"q/quiet"``, ``"image=string"``, ``"!f/filter=list"``
    (``!`` marks a flag swarmsim does not simulate)."""
    out = []
    for spec in specs:
        supported = not spec.startswith("!")
        spec = spec.lstrip("!")
        names, _, kind = spec.partition("=")
        kind = kind or "bool"
        short, _, name = names.rpartition("/") if "/" in names else ("", "", names)
        out.append(Flag(name, short, kind, supported=supported))
    return tuple(out)


#: ``-h, --help``: every command has it (cobra); docker marks the ``-h`` form deprecated
HELP = Flag("help", "h")
#: the flags a group gives all its subcommands (cobra persistent flags): ``docker stack``
#: keeps ``--orchestrator`` from its Kubernetes days, hidden and ignored
GROUP_FLAGS: dict[str, tuple[Flag, ...]] = {
    "stack": (Flag("orchestrator", kind="string", value="", deprecated="option will be ignored"),),
}
#: the root command's own flags (``cli/flags/options.go``), which swarmsim does not simulate
GLOBAL_FLAGS: tuple[Flag, ...] = (
    *_flags("!config=string", "!D/debug", "!l/log-level=string", "!tls", "!tlsverify",
            "!tlscacert=string", "!tlscert=string", "!tlskey=string", "!H/host=list",
            "!c/context=string", "!v/version"),
    HELP,
)

_PS = ("!f/filter=list", "!format=string", "no-resolve", "no-trunc", "q/quiet")
_LIST = ("!f/filter=list", "!format=string", "q/quiet")
_UPDATE_UNSIMULATED = (
    *(f"!{name}" for name in "init no-healthcheck read-only t/tty "
      "with-registry-auth".split()),
    "!u/user=string",
    "!w/workdir=string",
    *(
        f"!{name}=string"
        for name in (
            "args cap-add cap-drop config-add config-rm constraint-add constraint-rm "
            "container-label-add container-label-rm credential-spec dns-add dns-option-add "
            "dns-option-rm dns-rm dns-search-add dns-search-rm endpoint-mode entrypoint "
            "env-add env-rm generic-resource-add generic-resource-rm group-add group-rm "
            "health-cmd health-interval health-retries health-start-interval "
            "health-start-period health-timeout host-add host-rm hostname isolation label-add "
            "label-rm limit-cpu limit-memory limit-pids log-driver log-opt max-concurrent "
            "memory-swap memory-swappiness mount-add mount-rm network-add network-rm "
            "oom-score-adj placement-pref-add placement-pref-rm publish-add publish-rm "
            "replicas-max-per-node reserve-cpu reserve-memory restart-condition restart-delay "
            "restart-max-attempts restart-window rollback-delay rollback-failure-action "
            "rollback-max-failure-ratio rollback-monitor rollback-order rollback-parallelism "
            "secret-add secret-rm stop-grace-period stop-signal sysctl-add sysctl-rm "
            "ulimit-add ulimit-rm update-delay update-failure-action update-max-failure-ratio "
            "update-monitor update-order update-parallelism"
        ).split()
    ),
)

COMMANDS: tuple[Command, ...] = (
    # --- docker swarm ------------------------------------------------------------------
    Command("swarm", "ca", "ca [OPTIONS]", "Display and rotate the root CA", supported=False),
    Command("swarm", "init", "init [OPTIONS]", "Initialize a swarm", flags=(
        *_flags("advertise-addr=string", "!autolock", "!cert-expiry=string",
                "data-path-addr=string", "!data-path-port=string", "!default-addr-pool=list",
                "!default-addr-pool-mask-length=string", "!dispatcher-heartbeat=string",
                "!external-ca=string", "!force-new-cluster", "listen-addr=string",
                "!max-snapshots=string", "!snapshot-interval=string",
                "!task-history-limit=string"),
        Flag("availability", kind="string", value="active"),
    )),
    Command("swarm", "join", "join [OPTIONS] HOST:PORT", "Join a swarm as a node and/or manager",
            args=(1, 1), flags=(
                *_flags("advertise-addr=string", "data-path-addr=string", "listen-addr=string",
                        "token=string"),
                Flag("availability", kind="string", value="active"),
            )),
    Command("swarm", "join-token", "join-token [OPTIONS] (worker|manager)", "Manage join tokens",
            args=(1, 1), flags=_flags("q/quiet", "!rotate")),
    Command("swarm", "leave", "leave [OPTIONS]", "Leave the swarm", flags=_flags("f/force")),
    Command("swarm", "unlock", "unlock", "Unlock swarm", supported=False),
    Command("swarm", "unlock-key", "unlock-key [OPTIONS]", "Manage the unlock key",
            supported=False),
    Command("swarm", "update", "update [OPTIONS]", "Update the swarm", supported=False),
    # --- docker node -------------------------------------------------------------------
    Command("node", "demote", "demote NODE [NODE...]",
            "Demote one or more nodes from manager in the swarm", args=(1, None)),
    Command("node", "inspect", "inspect [OPTIONS] self|NODE [NODE...]",
            "Display detailed information on one or more nodes", args=(1, None),
            flags=_flags("f/format=string", "pretty")),
    Command("node", "ls", "ls [OPTIONS]", "List nodes in the swarm", flags=_flags(*_LIST),
            aliases=("list",)),
    Command("node", "promote", "promote NODE [NODE...]",
            "Promote one or more nodes to manager in the swarm", args=(1, None)),
    Command("node", "ps", "ps [OPTIONS] [NODE...]",
            "List tasks running on one or more nodes, defaults to current node",
            args=(0, None), flags=_flags(*_PS)),
    Command("node", "rm", "rm [OPTIONS] NODE [NODE...]", "Remove one or more nodes from the swarm",
            args=(1, None), flags=_flags("f/force"), aliases=("remove",)),
    Command("node", "update", "update [OPTIONS] NODE", "Update a node", args=(1, 1),
            flags=_flags("availability=string", "label-add=list", "label-rm=list",
                         "role=string")),
    # --- docker stack ------------------------------------------------------------------
    Command("stack", "config", "config [OPTIONS]",
            "Outputs the final config file, after doing merges and interpolations",
            supported=False),
    Command("stack", "deploy", "deploy [OPTIONS] STACK",
            "Deploy a new stack or update an existing stack", args=(1, 1), aliases=("up",),
            flags=(
                Flag("compose-file", "c", "list", comma=True),
                Flag("detach", "d", value=True),
                *_flags("prune", "q/quiet", "with-registry-auth"),
                Flag("resolve-image", kind="string", value="always"),
            )),
    Command("stack", "ls", "ls [OPTIONS]", "List stacks", flags=_flags("!format=string"),
            aliases=("list",)),
    Command("stack", "ps", "ps [OPTIONS] STACK", "List the tasks in the stack", args=(1, 1),
            flags=_flags(*_PS)),
    Command("stack", "rm", "rm [OPTIONS] STACK [STACK...]", "Remove one or more stacks",
            args=(1, None), flags=(Flag("detach", "d", value=True),),
            aliases=("remove", "down")),
    Command("stack", "services", "services [OPTIONS] STACK", "List the services in the stack",
            args=(1, 1), flags=_flags(*_LIST)),
    # --- docker service ----------------------------------------------------------------
    Command("service", "create", "create [OPTIONS] IMAGE [COMMAND] [ARG...]",
            "Create a new service", args=(1, None), interspersed=False, flags=(
                *_flags("name=string", "replicas=uint", "mode=string", "p/publish=list",
                        "constraint=list", "placement-pref=list", "limit-cpu=string",
                        "limit-memory=string", "reserve-cpu=string", "reserve-memory=string",
                        "restart-condition=string", "restart-max-attempts=uint",
                        "restart-delay=string", "update-parallelism=uint",
                        "update-delay=string", "update-failure-action=string",
                        "update-order=string", "mount=list", "network=list", "e/env=list",
                        "with-registry-auth", "d/detach", "q/quiet", "l/label=list",
                        "!u/user=string", "!w/workdir=string", "!hostname=string",
                        "!secret=list", "!config=list", "!health-cmd=string",
                        "!entrypoint=string", "!env-file=list", "!container-label=list",
                        "!replicas-max-per-node=uint", "!endpoint-mode=string",
                        "!stop-grace-period=string", "!t/tty", "!init", "!read-only",
                        "no-resolve-image", "!log-driver=string", "!log-opt=list"),
            )),
    Command("service", "inspect", "inspect [OPTIONS] SERVICE [SERVICE...]",
            "Display detailed information on one or more services", args=(1, None),
            flags=_flags("f/format=string", "pretty")),
    Command("service", "logs", "logs [OPTIONS] SERVICE|TASK",
            "Fetch the logs of a service or task", args=(1, 1),
            flags=(*_flags("f/follow", "n/tail=string", "t/timestamps", "no-trunc",
                           "no-task-ids", "no-resolve", "details", "raw",
                           "since=string"),)),
    Command("service", "ls", "ls [OPTIONS]", "List services", flags=_flags(*_LIST),
            aliases=("list",)),
    Command("service", "ps", "ps [OPTIONS] SERVICE [SERVICE...]",
            "List the tasks of one or more services", args=(1, None), flags=_flags(*_PS)),
    Command("service", "rm", "rm SERVICE [SERVICE...]", "Remove one or more services",
            args=(1, None), aliases=("remove",)),
    Command("service", "rollback", "rollback [OPTIONS] SERVICE",
            "Revert changes to a service's configuration", args=(1, 1),
            flags=_flags("d/detach", "q/quiet")),
    Command("service", "scale", "scale SERVICE=REPLICAS [SERVICE=REPLICAS...]",
            "Scale one or multiple replicated services", args=(1, None),
            flags=_flags("d/detach")),
    Command("service", "update", "update [OPTIONS] SERVICE", "Update a service", args=(1, 1),
            flags=(*_flags("d/detach", "force", "image=string", "no-resolve-image", "q/quiet",
                           "replicas=uint", "rollback"), *_flags(*_UPDATE_UNSIMULATED))),
)

#: commands outside the swarm groups that swarmsim simulates: registry credentials
TOP_COMMANDS: dict[str, Command] = {
    "login": Command("", "login", "login [OPTIONS] [SERVER]", "Authenticate to a registry",
                     args=(0, 1), flags=_flags("p/password=string", "password-stdin",
                                               "u/username=string")),
    "logout": Command("", "logout", "logout [SERVER]", "Log out from a registry", args=(0, 1)),
    "info": Command("", "info", "info [OPTIONS]", "Display system-wide information",
                    flags=_flags("!f/format=string")),
    "version": Command("", "version", "version [OPTIONS]",
                       "Show the Docker version information", flags=_flags("!f/format=string")),
    "logs": Command("", "logs", "logs [OPTIONS] CONTAINER", "Fetch the logs of a container",
                    args=(1, 1), flags=_flags("f/follow", "n/tail=string", "t/timestamps",
                                              "details", "since=string", "until=string")),
    "stats": Command("", "stats", "stats [OPTIONS] [CONTAINER...]",
                     "Display a live stream of container(s) resource usage statistics",
                     args=(0, None), flags=_flags("!a/all", "format=string", "no-stream",
                                                  "no-trunc")),
}
