"""A machine's own engine in the shell: build, tag, push, image ls, run, stop."""

from __future__ import annotations

from pathlib import Path

from swarmsim.shell import Session
from swarmsim.shell.engine_local import Engines, LocalImage, human_size, image_ls
from tests.shell_helpers import pipe

APP = Path(__file__).resolve().parents[1] / "scenarios" / "app"


def test_human_size_is_go_units_with_three_digits():
    # go-units HumanSizeWithPrecision(size, 3): decimal units, %.3g
    assert [human_size(n) for n in (999, 1000, 58_300_000, 199_000_000, 1_234_567_890)] == [
        "999B", "1kB", "58.3MB", "199MB", "1.23GB"]


def test_image_ls_is_docker_29s_collapsed_tree_without_a_terminal():
    engines = Engines()
    store = engines.of("m").images
    store["b:latest"] = LocalImage("sha256:" + "b" * 64, 0.0, 1_500, 999)
    store["averyveryverylongname:v1"] = LocalImage("sha256:" + "a" * 64, 0.0)
    # cli/command/image/tree.go: names sorted, the first column as wide as the widest
    # name, 3 spaces between columns, sizes right-aligned in 10 and 12, EXTRA 5 wide
    assert image_ls(engines, "m") == (
        "IMAGE                      ID             DISK USAGE   CONTENT SIZE   EXTRA\n"
        "averyveryverylongname:v1   aaaaaaaaaaaa        199MB         58.3MB        \n"
        "b:latest                   bbbbbbbbbbbb        1.5kB           999B        \n")


def test_build_needs_a_dockerfile(tmp_path):
    s = Session.start()
    out, err = pipe(s, f"docker build -t x {tmp_path}\n")
    assert out == ""
    assert err == ("ERROR: failed to build: failed to solve: failed to read dockerfile: open "
                   "Dockerfile: no such file or directory\n")
    _, err = pipe(s, f"docker build -t friendlyhello {APP}\n")
    # one step per instruction that changes the filesystem: FROM WORKDIR ADD RUN
    assert [ln for ln in err.splitlines() if " [" in ln and "/4] " in ln] == [
        "#4 [1/4] FROM docker.io/library/python:2.7-slim", "#5 [2/4] WORKDIR /app",
        "#6 [3/4] ADD . /app",
        "#7 [4/4] RUN pip install --trusted-host pypi.python.org -r requirements.txt"]


def test_images_are_per_machine_and_errors_are_dockers():
    s = Session.start()
    pipe(s, f"docker build -t friendlyhello {APP}\ndocker-machine create myvm1\n")
    out, _ = pipe(s, 'docker-machine ssh myvm1 "docker image ls"\n')
    assert out.count("\n") == 1  # the header alone: myvm1 has its own store
    _, err = pipe(s, "docker tag nothing x\n")
    assert err == "Error response from daemon: No such image: nothing:latest\n"
    _, err = pipe(s, "docker push friendlyhello\n")
    assert err.startswith("push access denied for friendlyhello")
    _, err = pipe(s, "docker run -d nothing\n")
    assert err.startswith("Unable to find image 'nothing:latest' locally\n")
    _, err = pipe(s, "docker container stop abc\n")
    assert err == "Error response from daemon: No such container: abc\n"


def test_an_image_nobody_pushed_cannot_be_pulled_until_it_is():
    from swarmsim.shell.clock import clock_for

    s = Session.start(clock=clock_for(tty=False))
    pipe(s, f"docker build -t friendlyhello {APP}\n"
            "docker-machine create myvm1\n"
            'docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"\n'
            "eval $(docker-machine env myvm1)\n"
            "docker service create -d --name app friendlyhello\nsleep 10s\n")
    tasks = list(s.sim.state.tasks_of("app"))
    # the laptop built it; myvm1 must pull it, and no registry has it (docker's executor
    # rejects the task: "No such image", then swarm retries)
    assert tasks and all(t.state.name == "REJECTED" for t in tasks if t.state.name != "NEW")
    assert {t.error for t in tasks if t.state.name == "REJECTED"} == {
        "No such image: friendlyhello:latest"}
    pipe(s, "eval $(docker-machine env -u)\ndocker login -u john -p x\n"
            "docker tag friendlyhello john/get-started:part2\ndocker push john/get-started:part2\n"
            "eval $(docker-machine env myvm1)\n"
            "docker service update -d --image john/get-started:part2 app\nsleep 20s\n")
    assert any(t.state.name == "RUNNING" and t.spec.image == "john/get-started:part2"
               for t in s.sim.state.tasks_of("app"))
    # an image built by the node's own engine is on its disk already
    pipe(s, f"docker build -t local-only {APP}\n"
            "docker service create -d --name own local-only\nsleep 10s\n")
    assert any(t.state.name == "RUNNING" for t in s.sim.state.tasks_of("own"))


def test_part_2_cheat_sheet_container_and_image_commands():
    s = Session.start()
    pipe(s, f"docker build -t friendlyhello {APP}\ndocker run -d -p 4000:80 friendlyhello\n")
    cid = s.engines.of("localhost").containers[0].id
    out, _ = pipe(s, "docker container ls -q\n")
    assert out == f"{cid[:12]}\n"
    # the app runs as PID 1 and ignores SIGTERM: stop ends it with SIGKILL (137)
    out, _ = pipe(s, "docker container stop $(docker container ls -q)\ndocker container ls -a\n")
    assert out.splitlines()[0] == cid[:12]
    assert " Exited (137) " in out.splitlines()[2]
    assert pipe(s, "docker container ls -q\n")[0] == ""
    _, err = pipe(s, "docker image rm friendlyhello\n")
    assert err.startswith("Error response from daemon: conflict: unable to delete "
                          "friendlyhello (must be forced) - container " + cid[:12])
    out, err = pipe(s, "docker container rm $(docker container ls -a -q)\n"
                       "docker tag friendlyhello john/get-started:part2\n"
                       "docker image rm friendlyhello\n")
    image = s.engines.of("localhost").images["john/get-started:part2"].id
    assert (out, err) == (f"{cid[:12]}\nUntagged: friendlyhello:latest\n", "")
    out, _ = pipe(s, "docker image ls -q\n")
    assert out == f"{image[7:19]}\n"
    out, _ = pipe(s, "docker image rm john/get-started:part2\n")
    assert out == f"Untagged: john/get-started:part2\nDeleted: {image}\n"


def test_run_pulls_what_was_pushed_and_machine_ls_q():
    s = Session.start()
    pipe(s, f"docker build -t john/get-started:part2 {APP}\ndocker login -u john -p x\n"
            "docker push john/get-started:part2\n"
            "docker-machine create myvm1\ndocker-machine create myvm2\n")
    out, err = pipe(s, "eval $(docker-machine env myvm1)\n"
                       "docker run -d -p 4000:80 john/get-started:part2\n")
    assert err.splitlines()[:2] == ["Unable to find image 'john/get-started:part2' locally",
                                    "part2: Pulling from john/get-started"]
    assert err.splitlines()[-1] == "Status: Downloaded newer image for john/get-started:part2"
    page, _ = pipe(s, "curl http://192.168.99.100:4000/\n")
    assert out.strip()[:12] in page
    out, _ = pipe(s, "docker-machine ls -q\ndocker-machine stop $(docker-machine ls -q)\n")
    assert out.splitlines()[:2] == ["myvm1", "myvm2"]
    assert out.splitlines()[-1] == 'Machine "myvm2" was stopped.'


def test_login_on_a_terminal_asks_for_what_is_missing():
    # docker 29 (cli/command/registry.go, PromptUserForCredentials): a registry other
    # than Docker Hub prompts for the user, then the hidden password
    s = Session.start()
    asked = []

    def ask(text, hidden):
        asked.append((text, hidden))
        return {"Username: ": "john", "Password: ": "secret"}[text]

    s.ask = ask
    out, err = pipe(s, "docker login registry.example.com\n")
    assert (out, err) == ("Login Succeeded\n", "")  # no --password warning: it was typed
    assert asked == [("Username: ", False), ("Password: ", True)]
    assert s.sim.images.has_login("localhost", "registry.example.com")
    asked.clear()
    pipe(s, "docker login -u john other.example.com\n")
    assert asked == [("Password: ", True)]
    s.ask = lambda text, hidden: ""
    _, err = pipe(s, "docker login third.example.com\n")
    assert err == "error: username is required\n"
    s.ask = None  # from a pipe: docker cannot prompt
    _, err = pipe(s, "docker login fourth.example.com\n")
    assert err == "error: cannot perform an interactive login from a non-TTY device\n"
