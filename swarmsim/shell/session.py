"""One shell session: a simulation, the docker-machine VMs and the machine the docker
CLI talks to; :meth:`Session.execute` runs one line as a terminal would."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from swarmsim.app.explain import explain_lines
from swarmsim.app.run import RunResult, _do_step, _run
from swarmsim.cluster.hostfs import MachineFiles
from swarmsim.commands import control_api, run_command
from swarmsim.commands.curl import Mesh, mesh_of
from swarmsim.commands.progress import follow
from swarmsim.commands.views import SimView, view_of
from swarmsim.input.cmdline.words import shell_words
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec
from swarmsim.shell import machines as dm
from swarmsim.shell.changes import ChangeLog
from swarmsim.shell.clock import Clock
from swarmsim.shell.engine_local import EngineError, Engines
from swarmsim.shell.hostcmds import (
    LAPTOP_ADDR,
    LOCAL,
    advertise_error,
    change_dir,
    curl_command,
    eval_target,
    ps_command,
)
from swarmsim.shell.inspect_cmd import inspect_command, network_ls, wants_inspect
from swarmsim.shell.limits import sleep_seconds, too_long
from swarmsim.shell.local_cmds import local_command
from swarmsim.shell.login_cmd import login_command, wants_login
from swarmsim.shell.logs import after_words, service_logs
from swarmsim.shell.logs_cmd import logs_command, wants_logs
from swarmsim.shell.machine_cmds import machine_command
from swarmsim.shell.reply import Reply
from swarmsim.shell.stats_cmd import stats_command, wants_stats
from swarmsim.shell.subst import SubstError, strip_comment, substitute
from swarmsim.shell.vmshell import VmShell
from swarmsim.simulation.engine import Simulation

#: docker commands a machine's own engine answers (shell/local_cmds.py)
_LOCAL_COMMANDS = ("build", "tag", "push", "images", "run", "stop", "kill", "rmi")
_LOCAL_PAIRS = (["image", "ls"], ["image", "build"], ["image", "tag"], ["image", "push"],
                ["container", "run"], ["container", "stop"], ["image", "list"],
                ["container", "kill"], ["container", "rm"], ["image", "rm"])
HELP = """\
Commands:
  docker ...                          the docker CLI, on the active machine
  docker container ls | docker ps     the active machine's task containers
  docker-machine create [--driver virtualbox] [--virtualbox-cpu-count N]
                 [--virtualbox-memory MB] NAME
  docker-machine ls | env NAME | env -u | ip NAME | stop|start|rm NAME
  docker-machine ssh NAME ["CMD"]     CMD on NAME (mkdir, ls, cat, echo, rm, cd, pwd,
                                      hostname, ip addr, docker ...); alone: log in
  eval $(docker-machine env NAME)     point the docker CLI at NAME (env -u: back to local)
  cd DIR                              the laptop's directory (compose files, builds)
  sleep DURATION                      jump ahead in simulated time (30s, 2m, 1h); between
                                      lines time follows the clock (--speed, --paused)
  curl http://ADDRESS:PORT/           a request through the routing mesh
  why TASK                            where the scheduler put TASK, or why it is pending
  exit
"""


@dataclass
class Session:
    """A simulated laptop with docker-machine VMs.

    Use :meth:`start` to make one.
    """

    result: RunResult
    vms: dict[str, dm.Machine] = field(default_factory=dict)
    active: str | None = None
    mesh: Mesh | None = None
    changes: ChangeLog | None = None
    clock: Clock = field(default_factory=Clock)
    ssh: VmShell | None = None  # an interactive `docker-machine ssh NODE`
    engines: Engines = field(default_factory=Engines)  # machines' own images, containers
    #: a terminal's prompt (text, hidden) -> what the user typed; None when lines come
    #: from a pipe (then `docker login` cannot ask, as docker without a TTY)
    ask: Callable[[str, bool], str] | None = None
    #: the session's own working directory (``cd`` moves it, not the process's): the
    #: laptop's commands read files by a relative path from here
    cwd: Path = field(default_factory=Path.cwd)

    @classmethod
    def start(cls, scenario: Scenario | None = None, *, seed: int | None = None,
              clock: Clock | None = None, cwd: Path | None = None) -> Session:
        """A session on ``scenario`` (its machines are docker-machine VMs, its swarm
        formed and its stacks deployed at t=0, its timeline due as time passes, the
        CLI pointed at its first manager), or on a fresh laptop with no VM.

        ``clock`` says how simulated time moves between command lines (default: only
        on ``sleep``; see :mod:`swarmsim.shell.clock`); ``cwd`` is the directory the
        session starts in (default: the process's)."""
        scen = scenario or Scenario(name="shell", seed=0 if seed is None else seed,
                                    nodes=(), stacks=())
        sim = Simulation(scen, seed=seed)
        view_of(sim)  # object versions count from the start
        result = RunResult(sim)
        session = cls(result, mesh=mesh_of(sim), changes=ChangeLog(sim), clock=clock or Clock(),
                      cwd=Path.cwd() if cwd is None else Path(cwd).absolute())
        sim.machines[LOCAL] = NodeSpec(name=LOCAL, id=sim.ids.new_id(), addr=LAPTOP_ADDR)
        for spec in scen.nodes:
            session.vms[spec.name] = dm.Machine(spec.name, spec.addr)
        if scenario is not None:
            sim.bootstrap()
            for ref in scen.stacks:
                files = " ".join(f"-c {shlex.quote(f)}" for f in ref.given)
                _run(result, f"docker stack deploy {files} {ref.name}", None)
            session.changes.skip()  # type: ignore[union-attr]  # the start's; timeline shows
            for step in scen.timeline:
                sim.later(step.at, _do_step, result, step)
            managers = [n.name for n in scen.nodes if n.role == "manager"]
            session.active = managers[0] if managers else None
            session.settle()
        return session

    @property
    def sim(self) -> Simulation:
        """The simulation."""
        return self.result.sim

    @property
    def view(self) -> SimView:
        """Versions and timestamps of the swarm's objects, for ``inspect``."""
        return view_of(self.sim)

    @property
    def machine(self) -> str:
        """The machine the docker CLI talks to (``localhost`` without an active VM)."""
        return self.active or LOCAL

    def prompt(self) -> str:
        """The prompt: which machine the line runs on (``laptop$``, or ``laptop
        [myvm1]$`` when the docker CLI talks to myvm1, as docker-machine's prompt
        helper shows it)."""
        if self.ssh is not None:
            return self.ssh.prompt
        return f"laptop [{self.active}]$ " if self.active else "laptop$ "

    def names(self) -> list[str]:
        """docker-machine VM names (for completion)."""
        return sorted(n for n, m in self.vms.items() if not m.removed)

    # --- one line ----------------------------------------------------------------------
    def execute(self, line: str) -> Reply:
        """Run one line as the shell would; never raises for bad input.

        Simulated time first moves to where the clock says (printing the scenario
        timeline's steps that happened meanwhile), then the line runs, then everything
        due at the same instant happens (a deploy's tasks exist at once)."""
        text = strip_comment(line.strip())
        if not text:
            return Reply()
        if text in ("exit", "quit") and self.ssh is None:
            return Reply(done=True)
        before = self.advance(self.clock.due(self.sim.now))
        if self.ssh is not None and too_long(text.split()):  # bounds the VM shell's lexer
            reply = Reply("", "-sh: Argument list too long\n", 126)
        elif self.ssh is not None:
            reply = self.ssh.run(text)
            if reply.done:
                self.ssh = None
                reply = Reply(reply.output, reply.error, reply.exit_code)
        else:
            reply = self._line(text)
        self.settle()
        self.clock.resync(self.sim.now)
        if before:
            reply = replace(reply, output=before + reply.output)
        return reply

    def advance(self, until: float) -> str:
        """Let simulated time pass up to ``until`` without a ``sleep``: the lines of the
        timeline steps that ran meanwhile (other changes go unprinted)."""
        assert self.changes is not None
        if until > self.sim.now:
            self.sim.env.run(until=until)
        return self.changes.since_last(steps_only=True)

    def settle(self) -> None:
        """Run what is due at the current instant (zero-delay reactions)."""
        self.sim.settle()

    def _line(self, text: str) -> Reply:
        if text == "help":
            return Reply(HELP)
        target = eval_target(text)
        if target is not None:
            return self._eval(target)
        sub_err = ""
        if "$(" in text:  # the laptop's shell runs $(...) first, here
            try:
                text, sub_err = substitute(text, self._capture)
            except SubstError as err:
                return Reply("", f"bash: {err}\n", 2)
        reply = self._words(text)
        return replace(reply, error=sub_err + reply.error)

    def _capture(self, inner: str) -> tuple[str, str]:
        reply = self._line(inner.strip())
        return reply.output, reply.error

    def _words(self, text: str) -> Reply:
        try:
            words = shell_words(text)
        except ValueError as err:
            return Reply("", f"swarmsim: {err}\n", 2)
        if not words:
            return Reply()
        if words[-1] == "2>&1" and len(words) > 1:  # stderr where stdout goes
            reply = self._words(shlex.join(words[:-1]))
            return replace(reply, output=reply.output + reply.error, error="",
                           follow_stderr=False)
        if "|" in words:  # a pipe: `echo PASSWORD | docker login -u USER --password-stdin`
            at = words.index("|")
            left, right = words[:at], words[at + 1:]
            if left[:1] != ["echo"] or right[:1] != ["docker"] or "|" in right:
                return Reply("", "swarmsim: of pipes, only `echo ... | docker ...` is "
                             "simulated\n", 2)
            return self.docker(shlex.join(right), self.machine, " ".join(left[1:]) + "\n")
        head = words[0]
        if too_long(words):  # execve's E2BIG, as bash reports it
            return Reply("", f"swarmsim: {head[:64]}: Argument list too long\n", 126)
        if head == "docker-machine":
            return self._machine(words[1:])
        if head == "docker":
            return self.docker(text, self.machine)
        if head == "sleep":
            return self._sleep(words[1:])
        if head == "cd":  # the session's own directory moves, not the process's
            return change_dir(self, words[1:])
        if head == "curl":
            return curl_command(self, words[1:])
        if head == "why":
            if len(words) != 2:
                return Reply("", "usage: why TASK\n", 2)
            lines, code = explain_lines(self.sim, words[1])
            return Reply("".join(f"{ln}\n" for ln in lines) if code == 0 else "",
                         "".join(f"{ln}\n" for ln in lines) if code else "", code)
        return Reply("", f"swarmsim: {head}: command not found\n", 127)

    def docker(self, line: str, machine: str, stdin: str | None = None,
               read_file: Callable[[str], tuple[str, str] | None] | None = None) -> Reply:
        """A docker command on ``machine``; a command that waits for its service
        (``docker service update`` without ``-d``) lets simulated time pass until it
        returns, as the CLI blocks."""
        vm = self.vms.get(machine)
        if vm is not None and not vm.running:
            return Reply("", f"Cannot connect to the Docker daemon at {vm.url}. "
                         "Is the docker daemon running?\n", 1)
        words = shell_words(line)
        if words[1:3] in (["container", "ls"], ["container", "ps"]) or words[1:2] == ["ps"]:
            return ps_command(self, machine, words)
        if wants_login(words):
            return login_command(self, machine, words, stdin)
        if wants_inspect(words):
            return inspect_command(self, machine, words)
        if words[1:3] in (["network", "ls"], ["network", "list"]):
            return network_ls(self, machine, words)
        if wants_logs(words):
            return logs_command(self, machine, words)
        if wants_stats(words):
            return stats_command(self, machine, words)
        if (words[1:2] and words[1] in _LOCAL_COMMANDS) or words[1:3] in _LOCAL_PAIRS:
            try:
                return local_command(self, machine, words)
            except EngineError as err:
                return Reply("", f"{err}\n", 1)
        if words[1:3] == ["service", "logs"]:
            assert self.mesh is not None

            out, error, code = service_logs(self.sim, self.mesh.logs, words, machine)
            if code or not ({"-f", "--follow"} & set(words)):
                return Reply(out, error, code)
            return Reply(out, error, code, follow=self._follower(words, machine),
                         follow_stderr=True)
        if words[1:3] == ["swarm", "init"] and vm is not None:
            refused = advertise_error(vm, words)
            if refused:
                return Reply("", f"Error response from daemon: {refused}\n", 1)
        res = run_command(self.sim, line, on=machine, read_file=read_file, cwd=self.cwd)
        if not res.waits:
            return Reply(res.output, res.error, res.exit_code)

        done: list[tuple[str, str, int]] = []
        follow(self.sim, res.waits, lambda o, e, c: done.append((o, e, c)))
        limit = self.sim.now + 3600.0
        while not done and self.sim.now < limit and self.sim.env.peek() <= limit:
            self.sim.env.step()
        assert self.changes is not None
        self.changes.skip()
        out, error, code = done[0] if done else ("", "", 0)
        return Reply(res.output + out, res.error + error, code or res.exit_code)

    def _follower(self, words: list[str], machine: str) -> Callable[[], str]:
        """``service logs -f``: each call lets the clock move, then prints the lines
        written since the command started (``--tail`` and ``--since`` applied to the
        first screen only, as the daemon's stream does)."""
        later = after_words(words, self.sim.now)
        printed = [0]

        def more() -> str:
            assert self.mesh is not None
            self.catch_up()
            lines = service_logs(self.sim, self.mesh.logs, later, machine)[1].splitlines()
            new, printed[0] = lines[printed[0]:], len(lines)
            return "".join(f"{ln}\n" for ln in new)

        return more

    def catch_up(self) -> None:
        """Let simulated time reach where the clock says (a following command)."""
        self.advance(self.clock.due(self.sim.now))
        self.settle()
        self.clock.resync(self.sim.now)

    # --- the pieces ----------------------------------------------------------------------
    def _eval(self, arg: str) -> Reply:
        if arg == "-u":
            self.active = None
            return Reply()
        vm = self.vms.get(arg)
        if vm is None or vm.removed:
            return Reply("", f'Host does not exist: "{arg}"\n', 1)
        if not vm.running:
            return Reply("", "Error checking TLS connection: Host is not running\n", 1)
        self.active = arg
        return Reply()

    def vm_files(self, name: str) -> MachineFiles:
        """A VM's files (a scenario's machine: modelled from its first use, not strict)."""
        hostfs = self.sim.hostfs
        if name not in hostfs.machines:
            hostfs.model(name, strict=False)
        return hostfs.machines[name]

    def vm(self, name: str) -> dm.Machine:
        """The VM of this name that exists (docker-machine's error when none does)."""
        vm = self.vms.get(name)
        if vm is None or vm.removed:
            raise dm.MachineError(f'Host does not exist: "{name}"')
        return vm

    def _machine(self, args: list[str]) -> Reply:
        try:
            return machine_command(self, args)
        except dm.MachineError as err:
            return Reply("", err.message + "\n", 1)

    def set_running(self, vm: dm.Machine, running: bool) -> None:
        """A VM stops (its node goes down, its containers die) or starts again."""
        vm.running = running
        node = control_api(self.sim).node_of(vm.name)
        if node is not None and node.alive != running:
            self.sim.state.set_alive(node.id, running)

    def add_vm(self, name: str, cpus: int, memory_mb: int) -> dm.Machine:
        """A new VM (in no swarm)."""
        if name in self.sim.machines:
            raise dm.MachineError(f'Docker machine "{name}" already exists')
        addr = dm.next_addr([m.addr for m in self.vms.values() if not m.removed])
        self.sim.machines[name] = dm.new_spec(name, self.sim.ids.new_id(), addr, cpus,
                                              memory_mb)
        vm = self.vms[name] = dm.Machine(name, addr)
        self.sim.hostfs.model(name)
        return vm

    def _sleep(self, args: list[str]) -> Reply:
        seconds, problem = sleep_seconds(args)
        if seconds is None:
            return Reply("", problem, 1)
        assert self.changes is not None
        if seconds > 0:
            self.sim.env.run(until=self.sim.now + seconds)
        self.settle()
        return Reply(self.changes.since_last())
