"""The tutorial's VMs in ``swarmsim shell``: a small shell on each VM with its own
files, bind mounts checked on the node a task lands on, ``swarm init``'s address rules
and ``$(...)`` run where a real shell runs it."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from swarmsim.shell import Session
from swarmsim.shell.subst import SubstError, substitute
from tests.shell_helpers import pipe

COMPOSE = Path(__file__).resolve().parents[1] / "scenarios" / "compose"
# moby daemon/volume/mounts/validate.go + linux_parser.go (errMountConfig)
NO_DATA = 'invalid mount config for type "bind": bind source path does not exist: ' \
          "/home/docker/data"



@pytest.fixture
def two_vms():
    s = Session.start()
    pipe(s, "docker-machine create myvm1\ndocker-machine create myvm2\n")
    return s


def test_ssh_runs_a_small_shell_with_the_vms_own_files(two_vms):
    s = two_vms
    out, err = pipe(s, 'docker-machine ssh myvm1 "pwd; hostname; ls"\n')
    assert (out, err) == ("/home/docker\nmyvm1\n", "")
    out, err = pipe(s, 'docker-machine ssh myvm1 "mkdir ./data && echo hello > data/x && '
                       'cat data/x && ls"\n')
    assert (out, err) == ("hello\ndata\n", "")
    # myvm2 has its own disk
    out, err = pipe(s, 'docker-machine ssh myvm2 "ls ./data"\n')
    assert out == "" and err == "ls: ./data: No such file or directory\n"
    # busybox's texts
    _, err = pipe(s, 'docker-machine ssh myvm1 "mkdir ./data"\n')
    assert err == "mkdir: can't create directory './data': File exists\n"
    _, err = pipe(s, 'docker-machine ssh myvm1 "mkdir a/b"\n')
    assert err == "mkdir: can't create directory 'a/b': No such file or directory\n"
    out, err = pipe(s, 'docker-machine ssh myvm1 "mkdir -p a/b && ls a && rm data"\n')
    assert out == "b\n" and err == "rm: 'data' is a directory\n"
    out, err = pipe(s, 'docker-machine ssh myvm1 "rm -r data a; ls; cat nothing; frobnicate"\n')
    assert out == ""
    assert err == ("cat: can't open 'nothing': No such file or directory\n"
                   "-sh: frobnicate: not found\n")


def test_interactive_ssh_session(two_vms):
    s = two_vms
    assert s.prompt() == "laptop$ "
    out, err = pipe(s, "docker-machine ssh myvm1\n")
    assert (out, err) == ("", "")
    assert s.prompt() == "docker@myvm1:~$ "
    out, _ = pipe(s, "mkdir data\ncd data\npwd\n")
    assert out == "/home/docker/data\n"
    assert s.prompt() == "docker@myvm1:~/data$ "
    out, _ = pipe(s, "ip addr\n")
    # virtualbox's NAT interface and the host-only one the tutorial uses
    assert "    inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0\n" in out
    assert "    inet 192.168.99.100/24 brd 192.168.99.255 scope global eth1\n" in out
    out, err = pipe(s, "docker swarm init --advertise-addr eth1\n")
    assert err == "" and "Swarm initialized" in out
    pipe(s, "exit\n")
    assert s.prompt() == "laptop$ "
    out, _ = pipe(s, "docker-machine ls\n")  # back on the laptop: the shell goes on
    assert out.startswith("NAME ")


def test_swarm_init_address_rules(two_vms):
    s = two_vms
    # two interfaces with global addresses: docker refuses to guess
    # (moby daemon/cluster/listen_addr.go, errMultipleIPs)
    out, err = pipe(s, 'docker-machine ssh myvm1 "docker swarm init"\n')
    assert out == ""
    assert err == ("Error response from daemon: could not choose an IP address to advertise "
                   "since this system has multiple addresses on different interfaces "
                   "(10.0.2.15 on eth0 and 192.168.99.100 on eth1)\n")
    _, err = pipe(s, 'docker-machine ssh myvm1 "docker swarm init --advertise-addr eth7"\n')
    assert err == ("Error response from daemon: advertise address must be a non-zero IP "
                   "address or network interface (with optional port number)\n")
    # the laptop has one interface: docker advertises its address, never 127.0.0.1
    out, err = pipe(s, "docker swarm init\n")
    assert err == ""
    assert "    docker swarm join --token SWMTKN-1-" in out
    assert out.split("docker swarm join --token ")[1].split()[1] == "192.168.1.10:2377"


def test_command_substitution_runs_where_a_shell_runs_it(two_vms):
    s = two_vms
    pipe(s, 'docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"\n')
    # on the laptop, after `eval $(docker-machine env myvm1)`: the token of myvm1's swarm
    out, err = pipe(s, "eval $(docker-machine env myvm1)\n"
                       'docker-machine ssh myvm2 "docker swarm join --token '
                       '$(docker swarm join-token -q worker) 192.168.99.100:2377"\n')
    assert (out, err) == ("This node joined a swarm as a worker.\n", "")
    # single quotes: the VM's shell runs it, on myvm2, a worker
    _, err = pipe(s, "docker-machine ssh myvm2 'echo $(docker swarm join-token -q worker)'\n")
    assert err.startswith("Error response from daemon: This node is not a swarm manager. "
                          "Worker nodes can't be used")


def test_substitute_scans_quotes_and_nesting():
    calls = []

    def run(line):
        calls.append(line)
        return f"<{len(calls)}>\n", ""

    text, _ = substitute('a "$(x "y z")" \'$(no)\' $(p $(q))', run)
    assert text == 'a "<1>" \'$(no)\' <3>'
    assert calls == ['x "y z"', "q", "p <2>"]
    with pytest.raises(SubstError):
        substitute("echo $(unclosed", run)


def test_bind_mount_rejected_until_the_directory_exists(two_vms):
    s = two_vms
    out, _ = pipe(s, f"cd {shlex.quote(str(COMPOSE))}\n"
                     'docker-machine ssh myvm1 "docker swarm init --advertise-addr '
                     '192.168.99.100"\n'
                     "eval $(docker-machine env myvm1)\n"
                     "docker stack deploy -c getstarted-part5.yml getstartedlab\n"
                     "sleep 20s\n")
    assert f"on myvm1 rejected: {NO_DATA}" in out
    tasks = s.sim.state.tasks_of("getstartedlab_redis")
    rejected = [t for t in tasks if t.state.name == "REJECTED"]
    assert len(rejected) >= 2  # swarm retries under the restart policy
    assert all(t.error == NO_DATA for t in rejected)
    assert not any(t.state.name == "RUNNING" for t in tasks)
    ps, _ = pipe(s, "docker service ps getstartedlab_redis\n")
    assert '"invalid mount config for type…"' in ps.splitlines()[1]
    # the visualizer's /var/run/docker.sock exists on every VM
    assert any(t.state.name == "RUNNING" for t in s.sim.state.tasks_of("getstartedlab_visualizer"))
    pipe(s, 'docker-machine ssh myvm1 "mkdir ./data"\nsleep 20s\n')
    assert any(t.state.name == "RUNNING" for t in s.sim.state.tasks_of("getstartedlab_redis"))
    out, _ = pipe(s, "curl http://192.168.99.100/\ncurl http://192.168.99.100/\n")
    assert out.splitlines()[-1].endswith("<b>Visits:</b> 2")


def test_scenario_machines_are_prepared():
    from swarmsim.input.scenario import load_scenario

    s = Session.start(load_scenario(COMPOSE.parent / "tutorial-part5.yaml"))
    out, _ = pipe(s, "sleep 20s\n")
    assert "rejected" not in out  # a scenario's machines have their directories
    out, err = pipe(s, 'docker-machine ssh myvm1 "ls /home/docker; hostname"\n')
    assert (out, err) == ("myvm1\n", "")


def test_scp_active_restart(two_vms, tmp_path):
    s = two_vms
    _, err = pipe(s, "docker-machine active\n")
    assert err == "No active host found\n"
    out, _ = pipe(s, "eval $(docker-machine env myvm2)\ndocker-machine active\n")
    assert out == "myvm2\n"
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("version: '3'\n")
    out, err = pipe(s, f"docker-machine scp {compose} myvm1:~\n"
                       "docker-machine scp myvm1:~/docker-compose.yml myvm2:/tmp/c.yml\n"
                       'docker-machine ssh myvm2 "cat /tmp/c.yml"\n')
    assert (out, err) == ("version: '3'\n", "")
    _, err = pipe(s, "docker-machine scp myvm1:~/nothing myvm2:~\n")
    assert err == "scp: ~/nothing: No such file or directory\nexit status 1\n"
    out, _ = pipe(s, "docker-machine restart myvm1\n")
    assert out.splitlines()[0] == 'Restarting "myvm1"...'
    assert out.splitlines()[-1].startswith("Restarted machines may have new IP addresses.")


def test_a_deploy_over_ssh_reads_the_vms_compose_file(two_vms):
    s = two_vms
    compose = COMPOSE / "getstarted-part3.yml"
    pipe(s, 'docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"\n')
    # the docker CLI runs on myvm1: the file must be there (part 4: docker-machine scp)
    out, err = pipe(s, 'docker-machine ssh myvm1 "docker stack deploy -c getstarted-part3.yml '
                       'lab"\n')
    # the name as typed: the CLI's os.ReadFile (cli/command/stack/loader.go)
    assert (out, err) == ("", "open getstarted-part3.yml: no such file or directory\n")
    out, _ = pipe(s, f"cd {shlex.quote(str(COMPOSE))}\n"
                     f"docker-machine scp {compose.name} myvm1:~\n"
                     'docker-machine ssh myvm1 "docker stack deploy -c '
                     'getstarted-part3.yml lab"\n')
    assert out.endswith("Creating service lab_web\n")


def test_a_deploy_on_a_vm_uses_the_vms_own_file_and_directory(two_vms, tmp_path):
    s = two_vms
    s.cwd = tmp_path  # the laptop has no mini.yml
    pipe(s, 'docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"\n')
    out, err = pipe(s, "docker-machine ssh myvm1\n"
                       "echo '{version: \"3\", services: {web: {image: "
                       "\"gordon/get-started:part2\", deploy: {replicas: 2}}}}' > mini.yml\n"
                       "mkdir -p sub && cd sub\n"
                       "docker stack deploy -c mini.yml lab\n"
                       "docker stack deploy -c ../mini.yml lab\n"
                       "exit\n")
    assert err.startswith("open mini.yml: no such file or directory\nSince --detach=false")
    assert out.endswith("Creating service lab_web\n")
    assert s.sim.state.services["lab_web"].spec.replicas == 2  # the VM's file, not the laptop's
    # on the laptop, pointed at the VM, the laptop's own directory is read
    _, err = pipe(s, "eval $(docker-machine env myvm1)\ndocker stack deploy -c mini.yml lab\n")
    assert err == "open mini.yml: no such file or directory\n"


def test_cd_on_the_laptop_moves_where_compose_files_are_read(two_vms, tmp_path):
    s = two_vms
    assert pipe(s, f"cd {shlex.quote(str(tmp_path))}\n") == ("", "")
    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "mini.yml").write_text(
        'version: "3"\nservices:\n  web:\n    image: gordon/get-started:part2\n')
    pipe(s, 'docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"\n'
            "eval $(docker-machine env myvm1)\n")
    _, err = pipe(s, "docker stack deploy -c mini.yml lab\n")
    assert err == "open mini.yml: no such file or directory\n"
    out, err = pipe(s, "cd lab\ndocker stack deploy -c mini.yml lab\ncd nowhere\n")
    assert out.endswith("Creating service lab_web\n")
    assert err.endswith("bash: cd: nowhere: No such file or directory\n")  # bash's words
