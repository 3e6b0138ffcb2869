"""The shell on a docker-machine VM (``docker-machine ssh NODE ["CMD"]``).

boot2docker's login shell is busybox ``sh``; its texts are busybox's.  It knows the
commands a student types on the tutorial's VMs: ``mkdir [-p]``, ``ls [-a]``, ``cat``,
``echo ... [>|>> FILE]``, ``rm [-r] [-f]``, ``pwd``, ``cd``, ``hostname``, ``ip addr``,
``docker ...`` (on this VM) and ``exit``; commands chain with ``;`` and ``&&``.  The
files are the VM's own (:mod:`swarmsim.cluster.hostfs`); ``$(...)`` runs on the VM.
"""

from __future__ import annotations

import hashlib
import posixpath
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from swarmsim.cluster.hostfs import VM_HOME, MachineFiles, normalize
from swarmsim.shell.reply import Reply
from swarmsim.shell.subst import SubstError, substitute

if TYPE_CHECKING:
    from swarmsim.shell.machines import Machine

#: the NAT interface every virtualbox VM has besides its host-only one
NAT_ADDR = "10.0.2.15"
BRIDGE_ADDR = "172.17.0.1"


def interfaces(vm: Machine) -> list[tuple[str, str, int]]:
    """A VM's interfaces with a global address: (name, address, prefix length)."""
    return [("eth0", NAT_ADDR, 24), ("eth1", vm.addr, 24), ("docker0", BRIDGE_ADDR, 16)]


def _mac(name: str, interface: str) -> str:
    digest = hashlib.sha256(f"{name}/{interface}".encode()).hexdigest()
    return "08:00:27:" + ":".join(digest[i:i + 2] for i in (0, 2, 4))


def ip_addr(vm: Machine) -> str:
    """``ip addr`` on a boot2docker VM (busybox's layout)."""
    lines = ["1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000",
             "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
             "    inet 127.0.0.1/8 scope host lo",
             "       valid_lft forever preferred_lft forever"]
    for n, (name, addr, bits) in enumerate(interfaces(vm), start=2):
        octets = addr.split(".")
        brd = ".".join(octets[:2] + (["255", "255"] if bits == 16 else [octets[2], "255"]))
        flags = "NO-CARRIER,BROADCAST,MULTICAST,UP" if name == "docker0" else (
            "BROADCAST,MULTICAST,UP,LOWER_UP")
        qdisc = "noqueue" if name == "docker0" else "pfifo_fast qlen 1000"
        lines += [f"{n}: {name}: <{flags}> mtu 1500 qdisc {qdisc}",
                  f"    link/ether {_mac(vm.name, name)} brd ff:ff:ff:ff:ff:ff",
                  f"    inet {addr}/{bits} brd {brd} scope global {name}",
                  "       valid_lft forever preferred_lft forever"]
    return "\n".join(lines) + "\n"


class VmHost(Protocol):
    """What a VM's shell asks of the laptop's session: the VMs, their files and the
    docker CLI (a protocol: the session that holds a :class:`VmShell` is not imported)."""

    vms: dict[str, Machine]

    def vm_files(self, name: str) -> MachineFiles: ...

    def docker(self, line: str, machine: str, stdin: str | None = None,
               read_file: Callable[[str], tuple[str, str] | None] | None = None) -> Reply: ...


@dataclass
class VmShell:
    """A login shell on one VM: its working directory and what it runs."""

    session: VmHost
    vm: str
    cwd: str = VM_HOME

    @property
    def prompt(self) -> str:
        """boot2docker's prompt: ``docker@myvm1:~$``."""
        where = "~" + self.cwd[len(VM_HOME):] if self.cwd.startswith(VM_HOME) else self.cwd
        return f"docker@{self.vm}:{where}$ "

    @property
    def files(self) -> MachineFiles:
        """The VM's files."""
        return self.session.vm_files(self.vm)

    def run(self, line: str) -> Reply:
        """One command line on the VM."""
        try:
            text, sub_err = substitute(line, lambda inner: self._capture(inner))
            lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|<>")
            lexer.whitespace_split = True
            words = list(lexer)
        except (ValueError, SubstError) as err:
            return Reply("", f"-sh: syntax error: {err}\n", 2)
        outs, errs, code = [], [sub_err], 0
        chain: list[str] = []
        last = Reply()
        for word in [*words, ";"]:
            if word not in (";", "&&"):
                chain.append(word)
                continue
            if chain:
                last = reply = self._simple(chain)
                outs.append(reply.output)
                errs.append(reply.error)
                code = reply.exit_code
                if reply.done:
                    return Reply("".join(outs), "".join(errs), code, done=True)
            chain = []
            if word == "&&" and code != 0:
                break
        # a following command (logs -f, stats) goes on after the line's output
        return Reply("".join(outs), "".join(errs), code, follow=last.follow,
                     follow_stderr=last.follow_stderr)

    def _capture(self, inner: str) -> tuple[str, str]:
        reply = self.run(inner)
        return reply.output, reply.error

    # --- one simple command ------------------------------------------------------------
    def _simple(self, words: list[str]) -> Reply:
        redirect = None
        for op in (">>", ">"):
            if op in words:
                at = words.index(op)
                if at + 1 >= len(words):
                    return Reply("", "-sh: syntax error: unexpected newline\n", 2)
                redirect = (op, normalize(words[at + 1], self.cwd))
                words = words[:at] + words[at + 2:]
                break
        if not words:
            return Reply()
        head, args = words[0], words[1:]
        if head == "docker":  # the CLI runs here: it reads this VM's files
            reply = self.session.docker(shlex.join(words), self.vm,
                                        read_file=self._read if self.files.strict else None)
        elif head in ("exit", "logout"):
            return Reply(done=True)
        else:
            method = getattr(self, f"_cmd_{head}", None)
            if method is None or head.startswith("_"):
                return Reply("", f"-sh: {head}: not found\n", 127)
            reply = method(args)
        if redirect is not None:
            op, path = redirect
            parent = posixpath.dirname(path)
            if parent not in self.files.dirs or path in self.files.dirs:
                reason = "Is a directory" if path in self.files.dirs else (
                    "nonexistent directory")
                return Reply("", f"-sh: can't create {redirect[1]}: {reason}\n", 1)
            old = self.files.files.get(path, "") if op == ">>" else ""
            self.files.files[path] = old + reply.output
            return Reply("", reply.error, reply.exit_code)
        return reply

    def _read(self, name: str) -> tuple[str, str] | None:
        """A file of this VM by the name typed (relative to the current directory)."""
        path = normalize(name, self.cwd)
        text = self.files.files.get(path)
        return None if text is None else (path, text)

    def _cmd_pwd(self, args: list[str]) -> Reply:
        return Reply(self.cwd + "\n")

    def _cmd_hostname(self, args: list[str]) -> Reply:
        return Reply(self.vm + "\n")

    def _cmd_echo(self, args: list[str]) -> Reply:
        if args[:1] == ["-n"]:
            return Reply(" ".join(args[1:]))
        return Reply(" ".join(args) + "\n")

    def _cmd_ip(self, args: list[str]) -> Reply:
        if args[:1] in (["a"], ["addr"], ["address"]) and args[1:] in ([], ["show"]):
            return Reply(ip_addr(self.session.vms[self.vm]))
        return Reply("", "swarmsim: only `ip addr` is simulated on the VMs\n", 1)

    def _cmd_cd(self, args: list[str]) -> Reply:
        path = normalize(args[0] if args else VM_HOME, self.cwd)
        if path not in self.files.dirs:
            return Reply("", f"-sh: cd: can't cd to {args[0]}: No such file or directory\n", 2)
        self.cwd = path
        return Reply()

    def _cmd_mkdir(self, args: list[str]) -> Reply:
        parents = any(a in ("-p", "--parents") for a in args)
        errs, code = [], 0
        files = self.files
        for name in (a for a in args if not a.startswith("-")):
            path = normalize(name, self.cwd)
            if files.exists(path):
                if not parents or path in files.files:
                    errs.append(f"mkdir: can't create directory '{name}': File exists\n")
                    code = 1
                continue
            chain = [path]
            while posixpath.dirname(chain[-1]) not in files.dirs:
                chain.append(posixpath.dirname(chain[-1]))
            if len(chain) > 1 and not parents:
                errs.append(f"mkdir: can't create directory '{name}': No such file or "
                            "directory\n")
                code = 1
                continue
            files.dirs.update(chain)
        return Reply("", "".join(errs), code)

    def _cmd_ls(self, args: list[str]) -> Reply:
        show_all = any(a.startswith("-") and "a" in a for a in args)
        names = [a for a in args if not a.startswith("-")] or ["."]
        files = self.files
        outs, errs, code = [], [], 0
        for name in names:
            path = normalize(name, self.cwd)
            if path in files.files:
                outs.append(f"{name}\n")
                continue
            if path not in files.dirs:
                errs.append(f"ls: {name}: No such file or directory\n")
                code = 1
                continue
            prefix = path.rstrip("/") + "/"
            entries = sorted({p[len(prefix):].split("/", 1)[0]
                              for p in (*files.dirs, *files.files)
                              if p.startswith(prefix) and p != path})
            entries = [".", "..", *entries] if show_all else [
                e for e in entries if not e.startswith(".")]
            if len(names) > 1:
                outs.append(f"{name}:\n")
            outs += [f"{e}\n" for e in entries]
        return Reply("".join(outs), "".join(errs), code)

    def _cmd_cat(self, args: list[str]) -> Reply:
        outs, errs, code = [], [], 0
        for name in args:
            path = normalize(name, self.cwd)
            if path in self.files.files:
                outs.append(self.files.files[path])
            else:
                reason = "Is a directory" if path in self.files.dirs else (
                    "No such file or directory")
                errs.append(f"cat: can't open '{name}': {reason}\n" if reason[0] == "N" else
                            f"cat: read error: {reason}\n")
                code = 1
        return Reply("".join(outs), "".join(errs), code)

    def _cmd_rm(self, args: list[str]) -> Reply:
        flags = "".join(a[1:] for a in args if a.startswith("-"))
        recursive, force = "r" in flags.lower(), "f" in flags
        errs, code = [], 0
        files = self.files
        for name in (a for a in args if not a.startswith("-")):
            path = normalize(name, self.cwd)
            if path in files.files:
                del files.files[path]
            elif path in files.dirs:
                if not recursive:
                    errs.append(f"rm: '{name}' is a directory\n")
                    code = 1
                    continue
                prefix = path.rstrip("/") + "/"
                files.dirs = {d for d in files.dirs if d != path and not d.startswith(prefix)}
                files.files = {f: c for f, c in files.files.items() if not f.startswith(prefix)}
            elif not force:
                errs.append(f"rm: can't remove '{name}': No such file or directory\n")
                code = 1
        return Reply("", "".join(errs), code)
