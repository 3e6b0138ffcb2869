"""Decode and conversion of compose files into swarm specs.

The config dicts are built directly, as the loader hands them over after interpolation
and schema validation.  Expectations come from compose-deploy.md (sections 2, 3, 4, 7)
and from docker's own output in compose-cases.json (``test_docker_corpus`` at the end
of this file compares every case whose outcome these stages decide).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from swarmsim.compose.container import shell_split
from swarmsim.compose.convert import convert_stack, decode_check
from swarmsim.foundation.errors import InputError
from swarmsim.input.specs import (
    Healthcheck,
    Mount,
    NetworkSpec,
    Placement,
    PortConfig,
    ResourceRequirements,
    Resources,
    RestartPolicy,
    ServiceSpec,
    UpdateConfig,
    VolumeSpec,
)

BASE = Path("/home/docker/app")


def convert(
    config: dict[str, Any], stack: str = "app", env: dict[str, str] | None = None, base=BASE
):
    return convert_stack(config, stack, base_dir=base, env=env or {})


def one(config: dict[str, Any], **kw: Any) -> ServiceSpec:
    (service,) = convert(config, **kw).services
    return service


def error(config: dict[str, Any], **kw: Any) -> InputError:
    with pytest.raises(InputError) as err:
        convert(config, **kw)
    return err.value


def web(**fields: Any) -> dict[str, Any]:
    return {"services": {"web": {"image": "nginx", **fields}}}


# --- compose-deploy.md section 7: documented stacks -------------------------------------


def test_get_started_part3():
    config = {
        "version": "3",
        "services": {
            "web": {
                "image": "username/repo:tag",
                "deploy": {
                    "replicas": 5,
                    "resources": {"limits": {"cpus": "0.1", "memory": "50M"}},
                    "restart_policy": {"condition": "on-failure"},
                },
                "ports": ["4000:80"],
                "networks": ["webnet"],
            }
        },
        "networks": {"webnet": None},
    }
    stack = convert(config, stack="getstartedlab")
    assert stack.networks == (NetworkSpec("getstartedlab_webnet"),)
    assert stack.services == (
        ServiceSpec(
            name="getstartedlab_web",
            image="username/repo:tag",
            stack="getstartedlab",
            short_name="web",
            replicas=5,
            labels=(
                ("com.docker.stack.image", "username/repo:tag"),
                ("com.docker.stack.namespace", "getstartedlab"),
            ),
            container_labels=(("com.docker.stack.namespace", "getstartedlab"),),
            resources=ResourceRequirements(limits=Resources(100_000_000, 52_428_800)),
            restart=RestartPolicy("on-failure", 5.0, 0, 0.0),
            ports=(PortConfig(80, 4000, "tcp", "ingress"),),
            networks=("getstartedlab_webnet",),
        ),
    )


def test_get_started_part5():
    webnet = ["webnet"]
    manager = {"placement": {"constraints": ["node.role == manager"]}}
    config = {
        "version": "3",
        "services": {
            "web": {
                "image": "username/repo:tag",
                "deploy": {
                    "replicas": 5,
                    "restart_policy": {"condition": "on-failure"},
                    "resources": {"limits": {"cpus": "0.1", "memory": "50M"}},
                },
                "ports": ["80:80"],
                "networks": webnet,
            },
            "visualizer": {
                "image": "dockersamples/visualizer:stable",
                "ports": ["8080:8080"],
                "volumes": ["/var/run/docker.sock:/var/run/docker.sock"],
                "deploy": manager,
                "networks": webnet,
            },
            "redis": {
                "image": "redis",
                "ports": ["6379:6379"],
                "volumes": ["/home/docker/data:/data"],
                "deploy": manager,
                "command": "redis-server --appendonly yes",
                "networks": webnet,
            },
        },
        "networks": {"webnet": None},
    }
    stack = convert(config, stack="getstartedlab")
    web_svc, viz, redis = stack.services
    assert [s.name for s in stack.services] == [
        "getstartedlab_web",
        "getstartedlab_visualizer",
        "getstartedlab_redis",
    ]
    assert stack.networks == (NetworkSpec("getstartedlab_webnet"),)  # no _default
    assert (web_svc.replicas, web_svc.ports) == (5, (PortConfig(80, 80),))
    assert web_svc.resources.limits == Resources(100_000_000, 52_428_800)
    assert web_svc.restart.condition == "on-failure"
    assert viz.replicas == 1
    assert viz.placement == Placement(constraints=("node.role == manager",))
    assert viz.mounts == (Mount("bind", "/var/run/docker.sock", "/var/run/docker.sock"),)
    assert viz.ports == (PortConfig(8080, 8080),)
    assert viz.restart == RestartPolicy()  # swarm default: any, 5s
    assert redis.command == ("redis-server", "--appendonly", "yes")
    assert redis.entrypoint is None
    assert redis.mounts == (Mount("bind", "/data", "/home/docker/data"),)
    assert redis.ports == (PortConfig(6379, 6379),)


def _rolling_config() -> dict[str, Any]:
    """compose-deploy.md 7.11 after interpolation with no variables set."""
    return {
        "version": "3.9",
        "services": {
            "api": {
                "image": "docker.io/example/api:latest",
                "environment": ["LOG_LEVEL=info", "DB_HOST=db"],
                "healthcheck": {
                    "test": ["CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"],
                    "interval": "10s",
                    "timeout": "3s",
                    "retries": 3,
                    "start_period": "30s",
                },
                "ports": ["8080:8080"],
                "deploy": {
                    "replicas": 3,
                    "update_config": {
                        "parallelism": 1,
                        "delay": "10s",
                        "order": "start-first",
                        "failure_action": "rollback",
                        "monitor": "30s",
                        "max_failure_ratio": 0.2,
                    },
                    "rollback_config": {"parallelism": 0, "order": "stop-first"},
                    "restart_policy": {"condition": "any"},
                    "resources": {
                        "limits": {"cpus": "1.5", "memory": "512M", "pids": 200},
                        "reservations": {"cpus": "0.25", "memory": "128M"},
                    },
                    "labels": {"com.example.team": "payments"},
                },
            },
            "db": {
                "image": "postgres:16",
                "volumes": ["pgdata:/var/lib/postgresql/data"],
                "deploy": {"placement": {"constraints": ["node.labels.db == true"]}},
            },
        },
        "volumes": {"pgdata": None},
    }


def test_rolling_update_stack():
    stack = convert(_rolling_config(), stack="rolling")
    api, db = stack.services
    assert api.name == "rolling_api" and api.replicas == 3
    assert api.env == ("DB_HOST=db", "LOG_LEVEL=info")
    assert api.healthcheck == Healthcheck(
        test=("CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"),
        interval_s=10.0,
        timeout_s=3.0,
        retries=3,
        start_period_s=30.0,
        start_interval_s=5.0,
    )
    assert api.update == UpdateConfig(1, 10.0, "rollback", 30.0, 0.2, "start-first")
    assert api.rollback == UpdateConfig(0, 0.0, "pause", 5.0, 0.0, "stop-first")
    assert api.restart == RestartPolicy("any", 5.0, 0, 0.0)
    assert api.resources == ResourceRequirements(
        limits=Resources(1_500_000_000, 536_870_912),
        reservations=Resources(250_000_000, 134_217_728),
        pids_limit=200,
    )
    assert api.labels == (
        ("com.docker.stack.image", "docker.io/example/api:latest"),
        ("com.docker.stack.namespace", "rolling"),
        ("com.example.team", "payments"),
    )
    assert api.ports == (PortConfig(8080, 8080),)
    assert db.replicas == 1
    assert db.placement.constraints == ("node.labels.db == true",)
    assert db.mounts == (Mount("volume", "/var/lib/postgresql/data", "rolling_pgdata"),)
    assert stack.volumes == (VolumeSpec("rolling_pgdata"),)
    assert stack.networks == (NetworkSpec("rolling_default"),)


def test_invalid_stack_corrected_form_takes_restart_always():
    # 7.12 with cpus: "0.5": container_name ignored, restart: always -> any
    config = web(
        container_name="web",
        restart="always",
        deploy={"replicas": 2, "resources": {"limits": {"cpus": "0.5", "memory": "256M"}}},
    )
    config["version"] = "3.8"
    svc = one(config, stack="invalid")
    assert svc.name == "invalid_web" and svc.replicas == 2
    assert svc.resources.limits == Resources(500_000_000, 268_435_456)
    assert svc.restart == RestartPolicy("any", 5.0, 0, 0.0)


# --- modes and replicas -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("deploy", "mode", "replicas"),
    [
        (None, "replicated", 1),
        ({"mode": "replicated", "replicas": None}, "replicated", 1),
        ({"replicas": 0}, "replicated", 0),
        ({"replicas": 2.0}, "replicated", 2),
        ({"mode": "global"}, "global", 0),
        ({"mode": "replicated-job", "replicas": 5}, "replicated-job", 5),
        ({"mode": "replicated-job"}, "replicated-job", 1),
        ({"mode": "global-job"}, "global-job", 0),
    ],
)
def test_modes(deploy, mode, replicas):
    svc = one(web(deploy=deploy))
    assert (svc.mode, svc.replicas) == (mode, replicas)


@pytest.mark.parametrize(
    ("deploy", "message"),
    [
        ({"mode": "replicate"}, "service web: unknown mode: replicate"),
        ({"mode": "Global"}, "service web: unknown mode: Global"),
        (
            {"mode": "global", "replicas": 2},
            "service web: replicas can only be used with replicated or replicated-job mode",
        ),
        (
            {"mode": "global-job", "replicas": 1},
            "service web: replicas can only be used with replicated or replicated-job mode",
        ),
    ],
)
def test_mode_errors(deploy, message):
    err = error(web(deploy=deploy))
    assert err.message == message
    assert err.keys[:3] == ("services", "web", "deploy")


# --- resources, restart, update, placement, endpoint ------------------------------------


def test_cpu_errors_are_wrapped_with_the_service():
    assert error(web(deploy={"resources": {"limits": {"cpus": "half"}}})).message == (
        "service web: failed to parse half as a rational number"
    )
    err = error(web(deploy={"resources": {"reservations": {"cpus": "0.0000000001"}}}))
    assert err.message == "service web: value is too precise"
    assert err.keys == ("services", "web", "deploy", "resources", "reservations", "cpus")


def test_resources_fraction_empty_and_generic():
    svc = one(
        web(
            deploy={
                "resources": {
                    "limits": {"cpus": "1/2", "memory": "1.5GB"},
                    "reservations": {
                        "cpus": "",
                        "memory": "100 k",
                        "generic_resources": [
                            {"discrete_resource_spec": {"kind": "gpu", "value": 2}}
                        ],
                    },
                }
            }
        )
    )
    assert svc.resources.limits == Resources(500_000_000, 1_610_612_736)
    assert svc.resources.reservations == Resources(0, 102_400, (("gpu", 2),))


@pytest.mark.parametrize(
    ("restart", "policy"),
    [
        ("always", RestartPolicy("any", 5.0, 0, 0.0)),
        ("unless-stopped", RestartPolicy("any", 5.0, 0, 0.0)),
        ("on-failure:3", RestartPolicy("on-failure", 5.0, 3, 0.0)),
        ("on-failure", RestartPolicy("on-failure", 5.0, 0, 0.0)),
        ("no", RestartPolicy("any", 5.0, 0, 0.0)),  # no policy -> swarm default any
    ],
)
def test_service_level_restart_fallback(restart, policy):
    assert one(web(restart=restart)).restart == policy


@pytest.mark.parametrize(
    ("restart", "message"),
    [
        (
            "sometimes",
            "service web: invalid restart policy: unknown policy 'sometimes' (must be one of "
            "'no', 'always', 'on-failure', or 'unless-stopped')",
        ),
        (
            "on-failure:x",
            "service web: invalid restart policy format: maximum retry count must be an integer",
        ),
        (":3", "service web: invalid restart policy format: no policy provided before colon"),
        (
            "on-failure:-1",
            "service web: invalid restart policy: maximum retry count cannot be negative",
        ),
    ],
)
def test_service_level_restart_errors(restart, message):
    err = error(web(restart=restart))
    assert err.message == message
    assert err.keys == ("services", "web", "restart")


def test_restart_policy_wins_and_fills_swarm_defaults():
    svc = one(web(restart="always", deploy={"restart_policy": {"condition": "none"}}))
    assert svc.restart == RestartPolicy("none", 5.0, 0, 0.0)
    svc = one(web(deploy={"restart_policy": {"delay": "0s", "max_attempts": 3, "window": "2m"}}))
    assert svc.restart == RestartPolicy("any", 0.0, 3, 120.0)
    # kept verbatim for the daemon to reject
    assert (
        one(web(deploy={"restart_policy": {"condition": "always"}})).restart.condition == "always"
    )


def test_update_config_defaults():
    svc = one(web(deploy={"update_config": {}}))
    assert svc.update == UpdateConfig(1, 0.0, "pause", 5.0, 0.0, "stop-first")
    assert svc.update_config_given
    svc = one(web(deploy={"update_config": {"parallelism": 0, "monitor": "0s", "delay": "-1s"}}))
    assert (svc.update.parallelism, svc.update.monitor_s, svc.update.delay_s) == (0, 5.0, -1.0)
    assert not one(web()).update_config_given


def test_placement_and_endpoint_mode():
    svc = one(
        web(
            deploy={
                "endpoint_mode": "DNSRR",
                "placement": {
                    "constraints": ["node.role==manager", "engine.labels.os==ubuntu 18.04"],
                    "preferences": [{"spread": "node.labels.zone"}, {"spread": "node.labels.rack"}],
                    "max_replicas_per_node": 1,
                },
            }
        )
    )
    assert svc.endpoint_mode == "dnsrr"
    assert svc.placement == Placement(
        ("node.role==manager", "engine.labels.os==ubuntu 18.04"),
        ("node.labels.zone", "node.labels.rack"),
        1,
    )


# --- healthcheck, command, environment, labels ------------------------------------------


def test_healthcheck_forms():
    assert one(web(healthcheck={"test": "curl -f localhost"})).healthcheck == Healthcheck(
        test=("CMD-SHELL", "curl -f localhost")
    )
    assert one(web(healthcheck={"disable": True})).healthcheck == Healthcheck(
        test=("NONE",), disabled=True
    )
    hc = one(
        web(healthcheck={"test": ["CMD", "true"], "retries": 2.5, "interval": "0s"})
    ).healthcheck
    assert (hc.test, hc.retries, hc.interval_s) == (("CMD", "true"), 2, 30.0)
    assert one(web()).healthcheck is None
    err = error(web(healthcheck={"test": ["CMD", "true"], "disable": True}))
    assert err.message == "service web: test and disable can't be set at the same time"


def test_command_and_entrypoint():
    svc = one(web(entrypoint="/bin/sh -c", command='echo "hello world" && sleep 1'))
    assert svc.entrypoint == ("/bin/sh", "-c")
    assert svc.command == ("echo", "hello world", "&&", "sleep", "1")
    assert one(web(command=["a b", "c"])).command == ("a b", "c")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('a \'b c\' "d\\"e"', ["a", "b c", 'd"e']),
        ("a\\ b c", ["a b", "c"]),
        ("run # comment\nnext", ["run", "next"]),
        ("x#y", ["x#y"]),
        ("'it''s'", ["its"]),
        ("  ", []),
    ],
)
def test_shell_split_like_google_shlex(text, words):
    assert shell_split(text) == words


@given(
    st.lists(
        st.text(alphabet="abcXYZ019-_./=:@%+,", min_size=1, max_size=8).filter(
            lambda w: not w.startswith("#")
        ),
        max_size=6,
    ),
    st.sampled_from([" ", "  ", "\t", "\n"]),
)
def test_shell_split_plain_words_round_trip(words, sep):
    assert shell_split(sep.join(words)) == words
    quoted = " ".join("'" + w.replace("'", "") + "'" for w in words)
    assert shell_split(quoted) == [w.replace("'", "") for w in words]


def test_environment_numbers_nulls_and_env():
    svc = one(
        web(
            environment={
                "A": 1.0,
                "B": 3.1,
                "C": 31,
                "D": 1e20,
                "F": None,
                "G": "",
                "HOME": None,
                "EMPTY_SET": "",
            }
        ),
        env={"HOME": "/home/user", "EMPTY_SET": "from-env"},
    )
    # docker: 1.0 -> 1, 3.10 -> 3.1, 1e20 -> 1e+20; null/empty take the CLI's value if set
    assert svc.env == (
        "A=1",
        "B=3.1",
        "C=31",
        "D=1e+20",
        "EMPTY_SET=from-env",
        "F",
        "G=",
        "HOME=/home/user",
    )
    assert one(web(environment=["X=1", "Y", "Z="])).env == ("X=1", "Y", "Z=")


def test_env_file_relative_to_compose_dir_and_environment_wins(tmp_path):
    (tmp_path / "app.env").write_text(
        "\ufeff# comment\n\n  A=from-file\nB=file  \nUNSET_KEY\nPATHY\n", encoding="utf-8"
    )
    svc = one(
        web(env_file="app.env", environment={"A": "from-environment"}),
        base=tmp_path,
        env={"PATHY": "/p"},
    )
    assert svc.env == ("A=from-environment", "B=file  ", "PATHY=/p")


def test_env_file_errors(tmp_path):
    err = error(web(env_file=["missing.env"]), base=tmp_path)
    assert err.message == f"open {tmp_path}/missing.env: no such file or directory"
    assert err.keys == ("services", "web", "env_file", 0)
    (tmp_path / "bad.env").write_text("A B=1\n")
    err = error(web(env_file="bad.env"), base=tmp_path)
    assert (
        err.message == f"invalid env file ({tmp_path}/bad.env): variable 'A B' contains whitespaces"
    )


def test_labels():
    svc = one(web(labels={"l1": 1.5, "empty": None}, deploy={"labels": ["APP=VOTING", "bare"]}))
    assert svc.container_labels == (
        ("com.docker.stack.namespace", "app"),
        ("empty", ""),
        ("l1", "1.5"),
    )
    assert svc.labels == (
        ("APP", "VOTING"),
        ("bare", ""),
        ("com.docker.stack.image", "nginx"),
        ("com.docker.stack.namespace", "app"),
    )


def test_stop_grace_period_and_hostname():
    svc = one(web(stop_grace_period="1m30s", hostname="h1"))
    assert (svc.stop_grace_period_s, svc.hostname) == (90.0, "h1")
    assert one(web()).stop_grace_period_s == 10.0


# --- networks, volumes, secrets, configs ------------------------------------------------


def test_networks_scoped_named_external_and_default():
    config = {
        "services": {
            "a": {"image": "x", "networks": {"front": {"aliases": ["www"]}, "back": None}},
            "b": {"image": "x"},
            "c": {"image": "x", "networks": ["traefik"]},
        },
        "networks": {
            "front": {"attachable": True},
            "back": {"name": "shared-back", "internal": True},
            "traefik": {"external": True},
            "unused": None,
        },
    }
    stack = convert(config)
    a, b, c = stack.services
    assert a.networks == ("app_front", "shared-back")  # sorted, as docker sorts them
    assert b.networks == ("app_default",)
    assert c.networks == ("traefik",)
    assert stack.networks == (
        NetworkSpec("app_front", attachable=True),
        NetworkSpec("shared-back", internal=True),
        NetworkSpec("app_default"),
        NetworkSpec("traefik", external=True),
    )


def test_undefined_network():
    err = error(web(networks=["front"]))
    assert err.message == 'service web: undefined network "front"'
    assert err.keys == ("services", "web", "networks", 0)


def test_external_network_name_conflict_and_deprecation():
    config = web(networks=["n"])
    config["networks"] = {"n": {"external": {"name": "real"}, "name": "other"}}
    assert error(config).message == (
        "network n: network.external.name and network.name conflict; only use network.name"
    )
    config["networks"] = {"n": {"external": {"name": "real"}}}
    stack = convert(config)
    assert stack.services[0].networks == ("real",)
    assert stack.log_warnings == (
        'level=warning msg="network n: network.external.name is deprecated in favor of '
        'network.name"',
    )


def test_volumes_in_service_and_stack(tmp_path):
    config = web(
        volumes=[
            "data:/data",
            "./conf:/etc/nginx/conf.d:ro",
            "/anon",
            {"type": "volume", "source": "data", "target": "/data2", "volume": {"nocopy": True}},
            {"type": "tmpfs", "target": "/tmp", "tmpfs": {"size": 1000}},
            "ext:/ext",
        ]
    )
    config["volumes"] = {"data": None, "ext": {"external": True}, "unused": None}
    stack = convert(config, base=tmp_path)
    assert stack.services[0].mounts == (
        Mount("volume", "/data", "app_data"),
        Mount("bind", "/etc/nginx/conf.d", f"{tmp_path}/conf", True),
        Mount("volume", "/anon"),
        Mount("volume", "/data2", "app_data"),
        Mount("tmpfs", "/tmp"),
        Mount("volume", "/ext", "ext"),
    )
    assert stack.volumes == (VolumeSpec("app_data"), VolumeSpec("ext", external=True))


def test_undefined_volume_and_mount_errors():
    err = error(web(volumes=["conf:/etc/conf"]))  # not a bind path: a named volume
    assert err.message == 'service web: undefined volume "conf"'
    assert err.keys == ("services", "web", "volumes", 0)
    err = error(web(volumes=[{"type": "tmpfs", "source": "x", "target": "/t"}]))
    assert err.message == "service web: invalid tmpfs source, source must be empty"


def test_secrets_and_configs(tmp_path):
    # docker/cli cli/compose/convert/compose.go (Secrets, Configs, fileObjectConfig) reads
    # every non-external object's file, so the files must exist (they were not read before)
    (tmp_path / "p.txt").write_text("pw")
    (tmp_path / "k.pem").write_text("key")
    (tmp_path / "c").write_text("conf")
    config = web(secrets=["db_pass", {"source": "cert", "target": "c"}], configs=["conf"])
    config["secrets"] = {
        "db_pass": {"file": "./p.txt"},
        "cert": {"external": True},
        "k": {"name": "key", "file": "k.pem"},
    }
    config["configs"] = {"conf": {"file": "./c"}}
    stack = convert(config, base=tmp_path)
    assert stack.secrets == ("app_db_pass", "key")  # created: declared, not external
    assert stack.configs == ("app_conf",)
    err = error(web(secrets=["db_pass"]))
    assert err.message == 'service web: undefined secret "db_pass"'
    assert err.keys == ("services", "web", "secrets", 0)
    assert error(web(configs=[{"source": "c"}])).message == 'service web: undefined config "c"'


def _file_object_error(tmp_path, kind: str, entry: dict[str, Any]) -> InputError:
    config = web()
    config[kind + "s"] = {"x": entry}
    with pytest.raises(InputError) as err:
        convert(config, base=tmp_path)
    return err.value


@pytest.mark.parametrize("kind", ["secret", "config"])
def test_file_objects_read_their_files_as_docker_does(tmp_path, kind):
    # loader.go loadFileObjectConfig: file = absPath(WorkingDir, file) (filepath.Join
    # cleans it); compose.go fileObjectConfig: os.ReadFile's error is docker's message
    err = _file_object_error(tmp_path, kind, {"file": "./sub/../db_password.txt"})
    assert err.message == f"open {tmp_path}/db_password.txt: no such file or directory"
    assert err.keys == (kind + "s", "x", "file")
    # no file at all: absPath(dir, "") is the directory itself
    err = _file_object_error(tmp_path, kind, {"name": "n"})
    assert err.message == f"read {tmp_path}: is a directory"
    # the daemon refuses empty data (SwarmKit api/validation/secrets.go
    # ValidateSecretPayload; manager/controlapi/config.go validateConfigSpec)
    (tmp_path / "empty").write_bytes(b"")
    limit = {"secret": 512000, "config": 1024000}[kind]
    err = _file_object_error(tmp_path, kind, {"file": "empty"})
    assert err.message == (
        f"failed to create {kind} app_x: Error response from daemon: rpc error: code = "
        f"InvalidArgument desc = {kind} data must be larger than 0 and less than {limit} bytes"
    )
    (tmp_path / "big").write_bytes(b"x" * limit)  # the limit itself is refused
    assert _file_object_error(tmp_path, kind, {"file": "big"}).message == err.message
    (tmp_path / "fits").write_bytes(b"x" * (limit - 1))
    config = web()
    config[kind + "s"] = {"x": {"file": str(tmp_path / "fits")}}
    assert getattr(convert(config, base=tmp_path / "elsewhere"), kind + "s") == ("app_x",)


def test_driver_secret_and_external_objects_read_no_file(tmp_path):
    # compose.go Secrets: a driver secret (driverObjectConfig) and external objects skip
    # the read
    config = web()
    config["secrets"] = {"d": {"driver": "vault"}, "e": {"external": True}}
    config["configs"] = {"e": {"external": True}}
    stack = convert(config, base=tmp_path)
    assert (stack.secrets, stack.configs) == (("app_d",), ())


def test_secrets_checked_before_mode():
    err = error(web(secrets=["s"], deploy={"mode": "bogus"}))
    assert err.message == 'service web: undefined secret "s"'


def test_x_swarmsim_is_read_after_docker_checks():
    svc = one(web(**{"x-swarmsim": {"pull": "10s", "mtbf": "1h"}}))
    assert (svc.sim.pull_s, svc.sim.mtbf_s) == (10.0, 3600.0)
    err = error(web(**{"x-swarmsim": {"pull": "10"}}, deploy={"mode": "bogus"}))
    assert err.message == "service web: unknown mode: bogus"
    err = error(web(**{"x-swarmsim": {"bogus": 1}}))
    assert err.message == "services.web.x-swarmsim Additional property bogus is not allowed"


# --- decode stage ------------------------------------------------------------------------

WRAP = "decoding failed due to the following error(s):\n\n"


@pytest.mark.parametrize(
    ("service", "text", "keys"),
    [
        (
            {"deploy": {"replicas": -1}},
            "'Deploy.Replicas' cannot parse value as 'uint64': -1 overflows uint",
            ("deploy", "replicas"),
        ),
        (
            {"deploy": {"replicas": -2.0}},
            "'Deploy.Replicas' cannot parse value as 'uint64': -2.000000 overflows uint",
            ("deploy", "replicas"),
        ),
        (
            {"deploy": {"restart_policy": {"max_attempts": -1}}},
            "'Deploy.restart_policy.max_attempts' "
            "cannot parse value as 'uint64': -1 overflows uint",
            ("deploy", "restart_policy", "max_attempts"),
        ),
        (
            {"deploy": {"update_config": {"parallelism": -1}}},
            "'Deploy.update_config.Parallelism' cannot parse value as 'uint64': -1 overflows uint",
            ("deploy", "update_config", "parallelism"),
        ),
        (
            {"deploy": {"placement": {"max_replicas_per_node": -2}}},
            "'Deploy.Placement.max_replicas_per_node' "
            "cannot parse value as 'uint64': -2 overflows uint",
            ("deploy", "placement", "max_replicas_per_node"),
        ),
        (
            {"deploy": {"resources": {"limits": {"memory": "50X"}}}},
            "'Deploy.Resources.Limits.memory' invalid suffix: 'x'",
            ("deploy", "resources", "limits", "memory"),
        ),
        (
            {"deploy": {"resources": {"reservations": {"memory": "lots"}}}},
            "'Deploy.Resources.Reservations.memory' invalid size: 'lots'",
            ("deploy", "resources", "reservations", "memory"),
        ),
        (
            {"healthcheck": {"retries": -1}},
            "'HealthCheck.Retries' cannot parse value as 'uint64': -1 overflows uint",
            ("healthcheck", "retries"),
        ),
        ({"ports": ["80:80", 80.5]}, "'Ports' invalid type float64 for port", ("ports", 1)),
        (
            {"volumes": ["/a:/b:ro:x"]},
            "'Volumes[0]' invalid spec: /a:/b:ro:x: too many colons",
            ("volumes", 0),
        ),
        (
            {"command": "echo 'oops"},
            "'Command' EOF found when expecting closing quote",
            ("command",),
        ),
        (
            {"secrets": [{"source": "s", "mode": -1}]},
            "'Secrets[0].mode' cannot parse value as 'uint32': -1 overflows uint",
            ("secrets", 0, "mode"),
        ),
    ],
)
def test_decode_errors(service, text, keys):
    with pytest.raises(InputError) as err:
        decode_check({"services": {"web": {"image": "nginx", **service}}})
    assert err.value.message == WRAP + text
    assert err.value.keys == ("services", "web", *keys)


def test_decode_errors_of_one_service_are_joined_in_struct_order():
    with pytest.raises(InputError) as err:
        decode_check(
            web(
                ports=[{"target": -1}],
                deploy={"resources": {"limits": {"memory": "5q"}}, "replicas": -1},
                command="x\\",
            )
        )
    assert err.value.message == WRAP + "\n".join(
        [
            "'Command' EOF found after escape character",
            "'Deploy.Replicas' cannot parse value as 'uint64': -1 overflows uint",
            "'Deploy.Resources.Limits.memory' invalid suffix: 'q'",
            "'Ports[0].Target' cannot parse value as 'uint32': -1 overflows uint",
        ]
    )


def test_bind_without_source_is_a_decode_error():
    with pytest.raises(InputError) as err:
        decode_check(web(volumes=[{"type": "bind", "target": "/x"}]))
    assert (
        err.value.message == 'invalid mount config for type "bind": field Source must not be empty'
    )


@pytest.mark.parametrize(
    ("section", "entry", "message"),
    [
        (
            "volumes",
            {"external": True, "driver": "x"},
            'conflicting parameters "external" and "driver" specified for volume "v"',
        ),
        (
            "volumes",
            {"external": {"name": "a"}, "name": "b"},
            "volume v: volume.external.name and volume.name conflict; only use volume.name",
        ),
        (
            "secrets",
            {"external": {"name": "a"}, "name": "b"},
            "secret v: secret.external.name and secret.name conflict; only use secret.name",
        ),
        (
            "secrets",
            {"driver": "d", "file": "./f"},
            "secret v: secret.driver and secret.file conflict; only use secret.driver",
        ),
        (
            "configs",
            {"external": {"name": "a"}, "name": "b"},
            "config v: config.external.name and config.name conflict; only use config.name",
        ),
    ],
)
def test_top_level_decode_errors(section, entry, message):
    with pytest.raises(InputError) as err:
        decode_check({"services": {}, section: {"v": entry}})
    assert err.value.message == message


class _Lines:
    def lookup(self, keys):
        return 40 + len(keys)


def test_errors_get_line_numbers_from_the_line_map():
    with pytest.raises(InputError) as err:
        decode_check(web(deploy={"replicas": -1}), _Lines())
    assert err.value.line == 44
    with pytest.raises(InputError) as err:
        convert_stack(web(deploy={"mode": "x"}), "app", base_dir=BASE, env={}, lines=_Lines())
    assert (err.value.line, err.value.path) == (44, "services.web.deploy.mode")


# --- docker's own output (compose-cases.json) --------------------------------------------

_CASES_FILE = Path(__file__).resolve().parent / "data" / "compose-cases.json"


def _corpus_env() -> dict[str, str]:
    """The environment the corpus was produced in, read from its "_about" text."""
    import re

    about = json.loads(_CASES_FILE.read_text(encoding="utf-8")).get("_about", "")
    home = re.search(r"HOME=(\S+)", about)
    return {"EMPTY_VAR": "", **({"HOME": home.group(1)} if home else {})}
# messages produced by the stages of this module (the others come from the loader's front half)
_OUR_ERRORS = ("decoding failed", "service ", "invalid mount config", "conflicting parameters")


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML with YAML 1.2 booleans (``no``/``yes`` stay strings, as in Go's yaml.v3)."""


_Yaml12Loader.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _cases() -> list[tuple[str, dict[str, Any]]]:
    data = json.loads(_CASES_FILE.read_text())
    return [
        (name, case)
        for name, case in sorted(data.items())
        if name != "_about" and (case["error"] is None or case["error"].startswith(_OUR_ERRORS))
    ]


def _go_map(text: str, pos: int = 0) -> tuple[Any, int]:
    """Parse Go's ``%v`` of nested maps/slices: ``map[K:V K2:V2]``, ``[a b]``, scalars."""
    if text.startswith("map[", pos):
        pos += 4
        out: dict[str, Any] = {}
        while text[pos] != "]":
            colon = text.index(":", pos)
            out[text[pos:colon]], pos = _go_map(text, colon + 1)
            pos += text[pos] == " "
        return out, pos + 1
    if text.startswith("[", pos):
        pos += 1
        items = []
        while text[pos] != "]":
            item, pos = _go_map(text, pos)
            items.append(item)
            pos += text[pos] == " "
        return items, pos + 1
    end = pos
    while end < len(text) and text[end] not in " ]":
        end += 1
    return text[pos:end], end


def _summary(line: str) -> tuple[str, dict[str, Any]]:
    name, _, rest = line.partition(": ")
    fields: dict[str, Any] = {}
    pos = 0
    while pos < len(rest):
        eq = rest.index("=", pos)
        fields[rest[pos:eq]], pos = _go_map(rest, eq + 1)
        pos += 1
    return name, fields


def _num(value: Any, default: float = 0) -> float:
    return float(value) if value not in (None, "<nil>") else default


def _expected(fields: dict[str, Any]) -> dict[str, Any]:
    """What docker's summary says, in swarmsim's terms (daemon defaults for unset fields)."""
    mode_map = fields["Mode"]
    (kind,) = mode_map
    mode = {
        "Replicated": "replicated",
        "Global": "global",
        "ReplicatedJob": "replicated-job",
        "GlobalJob": "global-job",
    }[kind]
    count = mode_map[kind].get("Replicas", mode_map[kind].get("TotalCompletions"))
    replicas = 0 if mode.startswith("global") else _num(count, 1)
    res = fields["Resources"]
    lim, rsv = res.get("Limits", {}), res.get("Reservations", {})
    restart = fields["Restart"] if isinstance(fields["Restart"], dict) else {}
    update = fields["Update"] if isinstance(fields["Update"], dict) else {}
    endpoint = fields["Endpoint"]
    ports = [  # in docker's order
        (
            _num(p.get("TargetPort")),
            _num(p.get("PublishedPort")),
            p.get("Protocol", "").lower()
            if p.get("Protocol", "").lower() in ("udp", "sctp")
            else "tcp",
            "host" if p.get("PublishMode", "").lower() == "host" else "ingress",
        )
        for p in endpoint.get("Ports", [])
    ]
    return {
        "mode": (mode, replicas),
        "limits": (_num(lim.get("NanoCPUs")), _num(lim.get("MemoryBytes")), _num(lim.get("Pids"))),
        "reservations": (
            _num(rsv.get("NanoCPUs")),
            _num(rsv.get("MemoryBytes")),
            [
                (g["DiscreteResourceSpec"]["Kind"], _num(g["DiscreteResourceSpec"]["Value"]))
                for g in rsv.get("GenericResources", [])
            ],
        ),
        "restart": (restart.get("Condition") or "any", _num(restart.get("MaxAttempts"))),
        "placement": (
            fields["Placement"].get("Constraints", []),
            _num(fields["Placement"].get("MaxReplicas")),
        ),
        "endpoint": (endpoint.get("Mode") or "vip", ports),
        "update": (
            _num(update.get("Parallelism"), 1),
            update.get("FailureAction") or "pause",
            _num(update.get("MaxFailureRatio")),
            update.get("Order") or "stop-first",
        ),
    }


def _actual(svc: ServiceSpec) -> dict[str, Any]:
    res = svc.resources
    return {
        "mode": (svc.mode, float(svc.replicas)),
        "limits": (
            float(res.limits.nano_cpus),
            float(res.limits.memory_bytes),
            float(res.pids_limit),
        ),
        "reservations": (
            float(res.reservations.nano_cpus),
            float(res.reservations.memory_bytes),
            [(k, float(v)) for k, v in res.reservations.generic],
        ),
        "restart": (svc.restart.condition, float(svc.restart.max_attempts)),
        "placement": (list(svc.placement.constraints), float(svc.placement.max_replicas)),
        "endpoint": (
            svc.endpoint_mode,
            [(float(p.target), float(p.published), p.protocol, p.mode) for p in svc.ports],
        ),
        "update": (
            float(svc.update.parallelism),
            svc.update.failure_action,
            svc.update.max_failure_ratio,
            svc.update.order,
        ),
    }


def test_go_map_parser_reads_docker_summaries():
    name, fields = _summary(
        "web: Mode=map[ReplicatedJob:map[MaxConcurrent:3 TotalCompletions:3]] Placement=map[] "
        "Resources=map[Limits:map[NanoCPUs:5e+08]] Restart=<nil> Endpoint=map[Ports:[map[A:1] "
        "map[B:2]]] Update=map[MaxFailureRatio:0 Order: Parallelism:1]"
    )
    assert name == "web"
    assert fields["Mode"] == {"ReplicatedJob": {"MaxConcurrent": "3", "TotalCompletions": "3"}}
    assert fields["Endpoint"] == {"Ports": [{"A": "1"}, {"B": "2"}]}
    assert fields["Update"] == {"MaxFailureRatio": "0", "Order": "", "Parallelism": "1"}
    assert fields["Restart"] == "<nil>"


@pytest.mark.parametrize(("name", "case"), _cases(), ids=[n for n, _ in _cases()])
def test_docker_corpus(name, case, monkeypatch):
    # docker's conversion, without swarmsim's own limits (replicas_huge: 2**63 replicas)
    monkeypatch.setenv("SWARMSIM_MAX_REPLICAS", str(2**64))
    config = yaml.load(case["compose"], Loader=_Yaml12Loader)  # a SafeLoader subclass
    env = _corpus_env()  # the corpus run's environment
    try:
        stack = convert_stack(config, "s", base_dir=BASE, env=env)
    except InputError as err:
        assert err.message == case["error"]
        return
    assert case["error"] is None, f"docker rejects this: {case['error']}"
    assert list(stack.log_warnings) == case["log_warnings"]
    services = {svc.short_name: svc for svc in stack.services}
    assert len(services) == len(case["services_summary"])
    for line in case["services_summary"]:
        short, fields = _summary(line)
        assert _actual(services[short]) == _expected(fields), short


def test_corpus_is_present():
    assert len(_cases()) >= 40
