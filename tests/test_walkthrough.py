"""The get-started walkthrough, parts 2 to 5, replayed in one ``swarmsim shell`` as a
student types it, with docker's output checked at each step.

Part 2 builds, runs, tags and pushes the app image on the laptop; part 3 runs it as a
service of five replicas on a one-node swarm; part 4 makes a swarm of two VMs; part 5
adds the visualizer and redis, whose bind mount needs ``mkdir ./data`` on the manager.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from swarmsim.shell import Session
from swarmsim.shell.clock import clock_for
from tests.shell_helpers import pipe

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
PAGE = re.compile(r"^<h3>Hello World!</h3><b>Hostname:</b> ([0-9a-f]{12})<br/><b>Visits:</b> "
                  r"(.*)$")
NOTICE = ("Since --detach=false was not specified, tasks will be created in the background.\n"
          "In a future release, --detach=false will become the default.\n")


def _rows(table: str) -> list[list[str]]:
    return [ln.split() for ln in table.splitlines()[1:]]


def cd(s: Session, where: Path) -> None:
    """The shell's own ``cd`` (the session's directory, not the process's)."""
    assert pipe(s, f"cd {shlex.quote(str(where))}\n") == ("", "")


def test_parts_2_to_5():
    s = Session.start(clock=clock_for(tty=False))

    # --- part 2: containers ------------------------------------------------------------
    cd(s, SCEN / "app")
    out, err = pipe(s, "docker build -t friendlyhello .\n")
    assert out == ""
    assert err.splitlines()[0] == '#0 building with "default" instance using docker driver'
    assert "#4 [1/4] FROM docker.io/library/python:2.7-slim\n" in err
    assert err.splitlines()[-2] == "#8 naming to docker.io/library/friendlyhello:latest done"
    out, _ = pipe(s, "docker image ls\n")
    assert out.splitlines()[0].split() == ["IMAGE", "ID", "DISK", "USAGE", "CONTENT", "SIZE",
                                           "EXTRA"]
    assert out.splitlines()[1].split()[0] == "friendlyhello:latest"
    out, err = pipe(s, "docker run -d -p 4000:80 friendlyhello\n")
    cid = out.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", cid) and err == ""
    out, _ = pipe(s, "curl http://localhost:4000\n")
    page = PAGE.match(out.strip())
    assert page and page.group(1) == cid[:12]
    assert page.group(2) == "<i>cannot connect to Redis, counter disabled</i>"
    # the container's own log: Flask's start line, then werkzeug's line for the request
    # from the bridge gateway (docker logs prints the lines alone; -t puts moby's
    # RFC3339NanoFixed timestamp first)
    out, err = pipe(s, f"docker logs -t {cid[:12]}\n")
    assert out == ""  # Flask writes to stderr, and so does docker logs
    first, second = err.splitlines()
    assert re.fullmatch(r"2026-01-01T00:00:\d\d\.\d{9}Z  \* Running on http://0\.0\.0\.0:80/ "
                        r"\(Press CTRL\+C to quit\)", first)
    assert re.fullmatch(r"2026-01-01T00:00:\d\d\.\d{9}Z 172\.17\.0\.1 - - \[01/Jan/2026 "
                        r'00:00:\d\d\] "GET / HTTP/1\.1" 200 -', second)
    out, _ = pipe(s, "docker container ls\n")
    assert _rows(out)[0][0] == cid[:12]
    assert "0.0.0.0:4000->80/tcp," in out
    out, _ = pipe(s, f"docker container stop {cid[:12]}\ndocker container ls\n")
    assert out.splitlines()[0] == cid[:12] and len(out.splitlines()) == 2
    _, err = pipe(s, "docker tag friendlyhello gordon/get-started:part2\n"
                     "docker push gordon/get-started:part2\n")
    assert err.startswith("push access denied for gordon/get-started")
    out, _ = pipe(s, "docker login -u gordon -p secret\ndocker push gordon/get-started:part2\n")
    assert out.splitlines()[:2] == ["Login Succeeded",
                                    "The push refers to repository [docker.io/gordon/get-started]"]
    assert out.splitlines()[-1].startswith("part2: digest: sha256:")

    # --- part 3: services, on the laptop's own one-node swarm ----------------------------
    cd(s, SCEN / "compose")
    out, err = pipe(s, "docker swarm init\n")
    assert err == "" and out.startswith("Swarm initialized: current node (")
    assert " 192.168.1.10:2377\n" in out  # the laptop's one address, never 127.0.0.1
    out, err = pipe(s, "docker stack deploy -c getstarted-part3.yml getstartedlab\n")
    assert err == NOTICE
    assert out == "Creating network getstartedlab_webnet\nCreating service getstartedlab_web\n"
    out, _ = pipe(s, "docker service ls\n")
    assert _rows(out)[0][1:4] == ["getstartedlab_web", "replicated", "0/5"]
    out, _ = pipe(s, "docker service ps getstartedlab_web\n")
    assert len(_rows(out)) == 5  # listed at once, before they run
    pipe(s, "sleep 20s\n")
    out, _ = pipe(s, "docker service ls\n")
    assert _rows(out)[0][3] == "5/5"
    hosts = set()
    for _ in range(5):
        out, _ = pipe(s, "curl http://localhost:4000/\n")
        hosts.add(PAGE.match(out.strip()).group(1))
    assert len(hosts) == 5  # the routing mesh takes turns
    # a curious student inspects a container: docker inspect tries containers first
    # (cli/command/system/inspect.go); docker 29 lists addresses per network
    cid, _ = pipe(s, "docker ps -q\n")
    cid = cid.split()[0]
    out, err = pipe(s, f"docker inspect -f '{{{{.State.Status}}}} {{{{index .Config.Labels "
                       f'"com.docker.swarm.service.name"}}}}\' {cid}\n')
    assert (out, err) == ("running getstartedlab_web\n", "")
    out, _ = pipe(s, f"docker inspect -f '{{{{range $n, $e := .NetworkSettings.Networks}}}}"
                     f"{{{{$n}}}} {{{{end}}}}' {cid}\n")
    assert out == "getstartedlab_webnet ingress \n"
    out, err = pipe(s, "docker inspect --format '{{.Spec.Mode.Replicated.Replicas}}' "
                       "getstartedlab_web\n")
    assert (out, err) == ("5\n", "")
    out, _ = pipe(s, "docker stack rm getstartedlab\ndocker swarm leave --force\n")
    assert out == ("Removing service getstartedlab_web\nRemoving network getstartedlab_webnet\n"
                   "Node left the swarm.\n")

    # --- part 4: swarms ------------------------------------------------------------------
    out, _ = pipe(s, "docker-machine create --driver virtualbox myvm1\n"
                     "docker-machine create --driver virtualbox myvm2\ndocker-machine ls\n")
    assert [r[0] for r in _rows(out.split("docker-machine env myvm2\n")[1])] == ["myvm1",
                                                                                 "myvm2"]
    _, err = pipe(s, 'docker-machine ssh myvm1 "docker swarm init"\n')
    assert err.startswith("Error response from daemon: could not choose an IP address")
    out, _ = pipe(s, 'docker-machine ssh myvm1 "docker swarm init --advertise-addr '
                     '192.168.99.100"\n')
    assert " 192.168.99.100:2377\n" in out
    out, err = pipe(s, 'docker-machine ssh myvm2 "docker swarm join --token $(docker-machine '
                       'ssh myvm1 "docker swarm join-token -q worker") 192.168.99.100:2377"\n')
    assert (out, err) == ("This node joined a swarm as a worker.\n", "")
    # typed on the VM, the deploy reads the VM's files: the tutorial copies the file first
    # (the CLI's os.ReadFile error names the file as typed, cli/command/stack/loader.go)
    out, err = pipe(s, 'docker-machine ssh myvm1 "docker stack deploy -c getstarted-part3.yml '
                       'getstartedlab"\n')
    assert (out, err) == ("", "open getstarted-part3.yml: no such file or directory\n")
    out, err = pipe(s, "docker-machine scp getstarted-part3.yml myvm1:~\n"
                       'docker-machine ssh myvm1 "ls"\n')
    assert out.endswith("getstarted-part3.yml\n")
    out, _ = pipe(s, "eval $(docker-machine env myvm1)\ndocker node ls\n")
    rows = _rows(out)
    assert rows[0][1:3] == ["*", "myvm1"] and rows[1][1] == "myvm2"  # `*`: this node
    pipe(s, "docker stack deploy -c getstarted-part3.yml getstartedlab\nsleep 30s\n")
    out, _ = pipe(s, "docker stack ps getstartedlab\n")
    nodes = [r[3] for r in _rows(out)]
    assert sorted(nodes) == ["myvm1", "myvm1", "myvm2", "myvm2", "myvm2"] or sorted(nodes) == [
        "myvm1", "myvm1", "myvm1", "myvm2", "myvm2"]
    for addr in ("192.168.99.100", "192.168.99.101"):
        out, _ = pipe(s, f"curl http://{addr}:4000/\n")
        assert PAGE.match(out.strip())
    # docker stats on the manager: its task containers, docker 29's columns
    out, _ = pipe(s, "docker stats --no-stream\n")
    lines = out.splitlines()
    assert lines[0].split() == ["CONTAINER", "ID", "NAME", "CPU", "%", "MEM", "USAGE", "/",
                                "LIMIT", "MEM", "%", "NET", "I/O", "BLOCK", "I/O", "PIDS"]
    assert len(lines) - 1 == nodes.count("myvm1")
    assert all(re.match(r"[0-9a-f]{12}   getstartedlab_web\.\d\.\w{25}   ", ln)
               for ln in lines[1:])

    # --- part 5: stacks ------------------------------------------------------------------
    out, err = pipe(s, "docker stack deploy -c getstarted-part5.yml getstartedlab\n")
    assert "Updating service getstartedlab_web" in out
    assert "Creating service getstartedlab_redis\n" in out
    out, _ = pipe(s, "sleep 20s\n")
    assert ('rejected: invalid mount config for type "bind": bind source path does not '
            "exist: /home/docker/data") in out
    out, err = pipe(s, 'docker-machine ssh myvm1 "mkdir ./data"\n')
    assert (out, err) == ("", "")
    out, _ = pipe(s, "docker stack deploy -c getstarted-part5.yml getstartedlab\nsleep 20s\n")
    assert re.search(r"task getstartedlab_redis\.1 \(\w+\) on myvm1 running", out)
    counts = []
    for addr in ("192.168.99.100", "192.168.99.101", "192.168.99.100"):
        out, _ = pipe(s, f"curl http://{addr}/\n")
        counts.append(PAGE.match(out.strip()).group(2))
    assert counts == ["1", "2", "3"]
    _, err = pipe(s, "docker service logs getstartedlab_web\n")
    assert len([ln for ln in err.splitlines() if '"GET / HTTP/1.1" 200 -' in ln]) == 3 + 2
    _, err = pipe(s, "docker service logs --tail 1 --no-task-ids getstartedlab_web\n")
    assert all(re.fullmatch(r"getstartedlab_web\.\d@myvm\d    \| .*", ln)
               for ln in err.splitlines())
    out, _ = pipe(s, "docker stack rm getstartedlab\n"
                     "eval $(docker-machine env -u)\n"
                     'docker-machine ssh myvm2 "docker swarm leave"\n'
                     'docker-machine ssh myvm1 "docker swarm leave --force"\n'
                     "docker-machine rm -y myvm1 myvm2\n")
    assert out.endswith("Node left the swarm.\nNode left the swarm.\n"
                        "Successfully removed myvm1\nSuccessfully removed myvm2\n")
