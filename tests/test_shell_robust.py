"""The shell under hostile lines: long lines in linear time, `sleep` as coreutils reads
it, bad compose encodings; the session always survives (issue: robustness)."""

import io
import re
import shlex
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.input.cmdline.words import shell_words
from swarmsim.shell import Session
from swarmsim.shell.hostcmds import eval_target
from swarmsim.shell.limits import MAX_ARG_STRLEN, read_lines, sleep_seconds, too_long

SHELL_TEXT = st.text(alphabet=list("ab \t\n\\\"'$#é\r"), max_size=16)


def shlex_or_error(line):
    try:
        return shlex.split(line)
    except ValueError as exc:
        return str(exc)


def words_or_error(line):
    try:
        return shell_words(line)
    except ValueError as exc:
        return str(exc)


@settings(max_examples=400, deadline=None)
@given(SHELL_TEXT)
def test_shell_words_are_shlex_words(line):
    # the oracle is the standard library's shlex.split (POSIX mode, no comments)
    assert words_or_error(line) == shlex_or_error(line)


def test_shell_words_examples():
    assert shell_words("""a "b c" 'd e'f g\\ h "x\\"y\\z" '' """) == [
        "a", "b c", "d ef", "g h", 'x"y\\z', ""]
    for bad, message in [('a "b', "No closing quotation"), ("a 'b", "No closing quotation"),
                         ("a \\", "No escaped character"), ('"a\\', "No escaped character")]:
        assert words_or_error(bad) == shlex_or_error(bad) == message


def elapsed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def test_a_one_megabyte_word_splits_in_linear_time():
    # shlex.split took ~50 s on this; the bound is generous for a shared machine
    for line in ["docker " + "a" * 1_000_000, 'x "' + "a" * 1_000_000 + '"',
                 "\\a" * 500_000, '"' + '\\"' * 500_000]:
        _, seconds = elapsed(words_or_error, line)
        assert seconds < 2.0, (line[:10], seconds)


def fresh():
    session = Session.start(None)
    session.execute("docker swarm init")
    return session


def test_a_long_line_is_refused_as_execve_refuses_it_and_the_session_goes_on():
    session = fresh()
    for line in ["docker " + "a" * 1_000_000, "docker node ls " + "-q " * 700_000,
                 "docker-machine create " + "b" * (MAX_ARG_STRLEN + 1)]:
        reply, seconds = elapsed(session.execute, line)
        assert seconds < 10.0
        assert reply.exit_code == 126
        assert reply.error.endswith(": Argument list too long\n")
    assert session.execute("docker node ls -q").exit_code == 0


def test_many_flags_within_the_limits_are_read_in_linear_time():
    session = fresh()
    reply, seconds = elapsed(session.execute, "docker node ls " + "-q " * 100_000)
    assert reply.exit_code == 0
    assert seconds < 5.0


def test_exec_limits():
    assert not too_long(["docker", "a" * (MAX_ARG_STRLEN - 1)])
    assert too_long(["docker", "a" * MAX_ARG_STRLEN])  # with its NUL: one byte too many
    assert too_long(["é" * (MAX_ARG_STRLEN // 2)])  # bytes count, not characters
    assert not too_long(["x"] * 200_000)  # 200,000 x (2 + 8) bytes < 2 MiB
    assert too_long(["x"] * 220_000)  # 2.2 MB > 2 MiB


def test_eval_target_is_the_old_pattern_without_its_backtracking():
    old = re.compile(r'^eval\s+"?\$\(\s*docker-machine\s+env\s+(.*?)\s*\)"?\s*$')
    for text in ["eval $(docker-machine env myvm1)", 'eval "$(docker-machine env myvm1)"',
                 "eval $(docker-machine env -u)", "eval $( docker-machine  env  a ) ",
                 "eval $(docker-machine env a ) )", "eval $(docker-machine env )",
                 "eval $(docker-machine env a", 'eval $(docker-machine env a)""']:
        m = old.match(text.strip())
        assert eval_target(text.strip()) == (m.group(1) if m else None), text
    _, seconds = elapsed(eval_target, "eval $(docker-machine env a" + " " * 1_000_000 + "b")
    assert seconds < 0.5  # the old pattern took 5 s at 40,000 spaces


# --- sleep -----------------------------------------------------------------------------------
# coreutils src/sleep.c: operands add up; a suffix s, m, h or d; `-5s` is an option

def test_sleep_operands_as_coreutils_reads_them():
    assert sleep_seconds(["0"]) == (0.0, "")
    assert sleep_seconds(["1m", "30s"]) == (90.0, "")
    assert sleep_seconds([".5", "1e1"]) == (10.5, "")
    assert sleep_seconds(["1m30s"]) == (90.0, "")  # a Go duration, as before
    assert sleep_seconds(["-5s"])[1].startswith("sleep: invalid option -- '5'\n")
    assert sleep_seconds(["--", "-5s"])[1].startswith("sleep: invalid time interval '-5s'")
    assert sleep_seconds(["--foo"])[1].startswith("sleep: unrecognized option '--foo'")
    assert sleep_seconds([])[1].startswith("sleep: missing operand")
    assert sleep_seconds(["5x"])[1].startswith("sleep: invalid time interval '5x'")
    for huge in (["25h"], ["1" * 400], ["1e999"], ["2d"], ["23h", "2h"]):
        seconds, problem = sleep_seconds(huge)
        assert seconds is None and "at most 24h" in problem


def test_sleep_edge_cases_never_end_the_session():
    session = fresh()
    start = session.sim.now
    for line, code in [("sleep 0", 0), ("sleep -5s", 1), ("sleep -- -5s", 1),
                       ("sleep " + "1" * 100_000, 1), ("sleep 1e999", 1), ("sleep 25h", 1),
                       ("sleep inf", 1), ("sleep 1m 30s", 0)]:
        reply = session.execute(line)
        assert reply.exit_code == code, (line, reply)
        assert not reply.done
    assert session.sim.now - start >= 90.0
    assert session.execute("docker node ls -q").exit_code == 0


def test_compose_files_in_other_encodings_on_stack_deploy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = 'version: "3"\nservices:\n  web:\n    image: nginx\n'
    (tmp_path / "u16.yml").write_bytes(text.encode("utf-16"))  # with a byte order mark
    (tmp_path / "u16le.yml").write_bytes(text.encode("utf-16-le"))
    (tmp_path / "latin1.yml").write_bytes(text.replace("nginx", "nginxé").encode("latin-1"))
    session = fresh()
    assert session.execute("docker stack deploy -c u16.yml a").exit_code == 0
    for name in ("u16le.yml", "latin1.yml"):
        reply = session.execute(f"docker stack deploy -c {name} b")
        assert reply.exit_code == 1 and reply.error.startswith("yaml: ")
        assert not reply.done
    assert "a_web" in session.execute("docker service ls").output


def test_read_lines_skips_a_line_longer_than_the_limit():
    stream = io.StringIO("one\n" + "x" * 100 + "\ntwo\n" + "y" * 30)
    err = io.StringIO()
    assert list(read_lines(stream, err, limit=20)) == ["one\n", "two\n"]
    assert err.getvalue().count("longer than") == 2
    assert "line 2 " in err.getvalue() and "line 4 " in err.getvalue()


def test_a_long_line_in_a_docker_machine_ssh_session_is_bounded():
    session = Session.start(None)
    assert session.execute("docker-machine create --driver virtualbox myvm1").exit_code == 0
    assert session.execute("docker-machine ssh myvm1").exit_code == 0
    reply, seconds = elapsed(session.execute, "echo " + "a" * 1_000_000)
    assert (reply.exit_code, reply.error) == (126, "-sh: Argument list too long\n")
    assert seconds < 2.0  # the VM shell's lexer took ~25 s on this
    assert session.execute("echo hi").output == "hi\n"  # still in the VM's shell
