"""Bad input in the shell: any line gives an answer (never a traceback), and the VM
shell and ``$(...)`` scanner keep their invariants."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swarmsim.shell import Reply, Session
from swarmsim.shell.subst import SubstError, strip_comment, substitute

HEADS = ["docker", "docker-machine", "docker-machine ssh myvm1", "eval", "sleep", "curl",
         "why", "docker service create", "docker build -t x", "docker run -d -p",
         "docker image rm", "docker service logs", "docker node inspect", "mkdir", "ls", "",
         "docker inspect", "docker inspect -f", "docker inspect --type", "docker container inspect",
         "docker network inspect", "docker network ls --format", "docker logs",
         "docker logs -f --since", "docker service logs -t --since", "docker stats",
         "docker stats --format", "docker ps --format", "docker login", "docker login -u",
         "echo x | docker login -u", "docker logout", "docker service inspect -f"]
WORDS = st.text(alphabet="ab-=:/.$()'\"\\;&|>#~ 019", max_size=12)
LINES = st.builds(lambda head, words: " ".join([head, *words]), st.sampled_from(HEADS),
                  st.lists(WORDS, max_size=5))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, min_size=1, max_size=6))
def test_any_line_gets_an_answer(lines):
    s = Session.start()
    s.execute("docker-machine create myvm1")
    for line in lines:
        reply = s.execute(line)
        assert isinstance(reply, Reply)
        assert isinstance(reply.output, str) and isinstance(reply.error, str)
        if reply.done:
            break


@given(st.text(alphabet="ab $()'\"\\", max_size=30))
def test_substitution_leaves_text_without_dollar_paren_alone(text):
    calls = []

    def run(line):
        calls.append(line)
        return "X\n", ""

    try:
        out, _ = substitute(text, run)
    except SubstError:
        return
    if "$(" not in text:
        assert out == text and calls == []
    assert len(calls) <= text.count("$(")


@given(st.text(alphabet="ab #'\"", max_size=30))
def test_a_comment_is_cut_only_outside_quotes(text):
    kept = strip_comment(text)
    assert text.startswith(kept.rstrip()) or kept == text
    if "#" not in text:
        assert kept == text
