"""docker's own output for 109 compose files, and the loader pipeline around it.

The corpus (``tests/data/compose-cases.json``, provenance in ``tests/data/README.md``) holds
what the real docker/cli loader printed for each file: the error (or null when the CLI accepted it)
and the stderr warnings, which docker also prints before an error found after them
(an image reference, a service it cannot convert).  It reflects the CLI stage only
(daemon-side checks such as ``condition: always`` are not in it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from swarmsim.cli import main
from swarmsim.compose import load_stack, load_stack_text
from swarmsim.foundation.errors import InputError

CASES_PATH = Path(__file__).resolve().parent / "data" / "compose-cases.json"



def _corpus_env() -> dict[str, str]:
    """The environment docker ran with, read from the corpus' own "_about" text
    (``EMPTY_VAR="" HOME=...``; IMAGE, REPLICAS, UNSET_VAR unset)."""
    about = json.loads(CASES_PATH.read_text(encoding="utf-8")).get("_about", "")
    home = re.search(r"HOME=(\S+)", about)
    return {"EMPTY_VAR": "", **({"HOME": home.group(1)} if home else {})}


ENV = _corpus_env()


def _read_cases() -> dict[str, dict[str, Any]]:
    data = json.loads(CASES_PATH.read_text(encoding="utf-8"))
    return {name: case for name, case in data.items() if not name.startswith("_")}


CASES = _read_cases()
NAMES = sorted(CASES)


def run_case(case: dict[str, Any], tmp: Path) -> tuple[str | None, str]:
    """(error message, stderr warnings) of one corpus file; the warnings of a failing
    file are those printed before its error."""
    try:
        stack = load_stack_text(
            case["compose"], filename="docker-compose.yml", stack="stack", env=ENV, base_dir=tmp
        )
    except InputError as err:
        return err.message, err.warnings
    return None, stack.warnings


def docker_warnings(text: str | None) -> str:
    """The corpus' stderr text without the harness' own lines and trailing blank lines.

    The harness that produced the corpus appended its own ``NETWORKS ...`` line and
    trimmed the final blank line of successful runs; docker prints
    ``Ignoring unsupported options: restart`` followed by an empty line.
    """
    lines = [ln for ln in (text or "").split("\n") if not ln.startswith("NETWORKS ")]
    return "\n".join(lines).rstrip("\n")


def matches(case: dict[str, Any], error: str | None, warnings: str | None) -> bool:
    """docker's error (or its absence) and the warnings printed before it, both exact
    (a failing file without ``stderr_text`` printed no warnings)."""
    same_warnings = docker_warnings(warnings) == docker_warnings(case["stderr_text"])
    return error == case["error"] and same_warnings


@pytest.fixture(autouse=True)
def _docker_has_no_replica_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus is docker's verdicts; swarmsim's own replicas limit (refusing the
    2**63 replicas of ``replicas_huge``) is lifted to compare with them."""
    monkeypatch.setenv("SWARMSIM_MAX_REPLICAS", str(2**64))


@pytest.mark.parametrize("name", NAMES)
def test_docker_accepts_and_rejects_the_same_files(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    error, _ = run_case(case, tmp_path)
    assert (error is None) == (case["error"] is None), error or case["error"]


@pytest.mark.parametrize("name", NAMES)
def test_docker_message_text(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    error, warnings = run_case(case, tmp_path)
    assert error == case["error"]
    # warnings of accepted files, and of failing files those printed before the error
    assert docker_warnings(warnings) == docker_warnings(case["stderr_text"])


def test_corpus_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outcomes = {name: run_case(case, tmp_path) for name, case in CASES.items()}
    exact = sum(matches(CASES[name], *outcome) for name, outcome in outcomes.items())
    agree = sum((err is None) == (CASES[n]["error"] is None) for n, (err, _) in outcomes.items())
    warned = [n for n in CASES if CASES[n]["error"] is not None and CASES[n]["stderr_text"]]
    warned_exact = sum(matches(CASES[n], *outcomes[n]) for n in warned)
    with capsys.disabled():
        print(
            f"\ncompose corpus: {exact}/{len(CASES)} docker messages matched exactly "
            f"({agree}/{len(CASES)} accept/reject decisions agree; "
            f"{warned_exact}/{len(warned)} errors with their warnings before them)"
        )
    assert agree == len(CASES)


# --- the pipeline on small hand-written files ---------------------------------------


def load(text: str, **kw: Any) -> Any:
    kw.setdefault("env", ENV)
    return load_stack_text(text, filename="docker-compose.yml", stack="app", base_dir="/srv", **kw)


def failure(text: str, **kw: Any) -> InputError:
    with pytest.raises(InputError) as err:
        load(text, **kw)
    return err.value


def test_errors_carry_file_line_and_key_path() -> None:
    text = (
        'version: "3.8"\nservices:\n  web:\n    image: nginx\n    deploy:\n      replicas: four\n'
    )
    err = failure(text)
    assert str(err) == "docker-compose.yml:6: services.web.deploy.replicas must be a integer"
    assert (err.file, err.line, err.path) == (
        "docker-compose.yml",
        6,
        "services.web.deploy.replicas",
    )
    assert err.keys == ("services", "web", "deploy", "replicas")


def test_unknown_key_error_points_at_that_key() -> None:
    text = (
        "services:\n  web:\n    image: nginx\n    deploy:\n      mode: global\n      replica: 3\n"
    )
    err = failure(text)
    assert err.message == "services.web.deploy Additional property replica is not allowed"
    assert err.line == 6


def test_interpolation_error_line() -> None:
    text = "services:\n  web:\n    image: nginx\n    environment:\n      - A=1\n      - B=${X\n"
    err = failure(text)
    assert err.line == 6
    assert err.message.startswith("invalid interpolation format for services.web.environment.[]")


def test_yaml_error_line() -> None:
    err = failure('version: "3.8"\nservices:\n\tweb:\n')
    assert str(err) == (
        "docker-compose.yml:3: yaml: line 3: found character that cannot start any token"
    )


@pytest.mark.parametrize("version", ["", "3"])
def test_short_versions_mean_the_latest_schema(version: str) -> None:
    text = f'version: "{version}"\nservices:\n  a:\n    image: nginx\n    oom_score_adj: 5\n'
    assert load(text).services[0].name == "app_a"
    assert load(text.split("\n", 1)[1]).services[0].name == "app_a"  # no version at all


def test_version_errors() -> None:
    assert failure("version: 3.8\nservices: {}\n").message == "version must be a string"
    err = failure('services: {}\nversion: "3.14"\n')
    assert (err.message, err.line) == ("unsupported Compose file version: 3.14", 2)
    assert failure('version: "2"\n').message == "unsupported Compose file version: 2"
    # interpolation runs before the version is checked against the schemas
    bad = 'version: "2"\nservices:\n  a:\n    image: ${X\n'
    assert failure(bad).message.startswith("invalid interpolation format for services.a.image")


def test_forbidden_keys_are_listed_sorted_before_anything_else() -> None:
    text = (
        'version: "2"\n'  # would fail later
        "services:\n"
        "  b:\n"
        "    image: ${NOPE\n"  # would fail at interpolation
        "    volumes_from: [a]\n"
        "    cpu_shares: 5\n"
        "  a:\n"
        "    mem_limit: 1g\n"
        "    extends: x\n"
    )
    err = failure(text)
    assert err.message == (
        "compose file contains unsupported options:\n\n"
        "cpu_shares: Set resource limits using deploy.resources\n\n"
        "extends: Support for `extends` is not implemented yet.\n\n"
        "mem_limit: Set resource limits using deploy.resources\n\n"
        "volumes_from: To share a volume between services, define it using the top-level "
        "`volumes` option and reference it from each service that shares it using the "
        "service-level `volumes` option."
    )
    assert err.line == 6  # the first key in that sorted list


def test_warnings_text() -> None:
    text = (
        "services:\n"
        "  b:\n    image: nginx\n    restart: always\n    container_name: b\n    build: .\n"
        "  a:\n    image: nginx\n    privileged: true\n    expose: ['80']\n"
    )
    assert load(text).warnings == (
        "Ignoring unsupported options: build, privileged, restart\n\n"
        "Ignoring deprecated options:\n\n"
        "container_name: Setting the container name is not supported.\n\n"
        "expose: Exposing ports is unnecessary - services on the same network can access "
        "each other's containers on any port.\n\n"
    )
    assert load("services:\n  a:\n    image: nginx\n").warnings == ""


def test_image_check() -> None:
    err = failure("services:\n  web:\n    command: echo\n")
    assert err.message == "invalid image reference for service web: no image specified"
    err = failure("services:\n  zz:\n    image: ok\n  web:\n    image: Nginx:Latest\n")
    assert err.message == (
        "invalid image reference for service web: invalid reference format: "
        "repository name (library/Nginx) must be lowercase"
    )
    assert err.line == 5
    assert failure('services:\n  a:\n    image: "nginx:"\n').message == (
        "invalid image reference for service a: invalid reference format"
    )


def test_warnings_travel_with_an_error_found_after_them() -> None:
    # docker prints the warnings once the files are loaded, then checks the images and
    # converts the services (cli/command/stack/loader.go, deploy_composefile.go)
    err = failure("services:\n  web:\n    build: .\n    expose: ['80']\n")
    assert err.message == "invalid image reference for service web: no image specified"
    assert err.warnings == (
        "Ignoring unsupported options: build\n\n"
        "Ignoring deprecated options:\n\n"
        "expose: Exposing ports is unnecessary - services on the same network can access "
        "each other's containers on any port.\n\n"
    )
    err = failure("services:\n  a:\n    image: nginx\n    privileged: true\n"
                  "    deploy:\n      mode: Global\n")
    assert (err.message, err.warnings) == (
        "service a: unknown mode: Global", "Ignoring unsupported options: privileged\n\n")
    assert err.located(file="other.yml").warnings == err.warnings


def test_no_warnings_before_errors_of_the_loading_itself(tmp_path: Path) -> None:
    # an env file is read, and top-level networks checked, while the files load
    err = failure("services:\n  a:\n    image: nginx\n    build: .\n    env_file: nope.env\n")
    assert err.message.startswith("open /srv/nope.env: no such file or directory")
    assert err.warnings == ""
    text = (
        "services:\n  a:\n    image: nginx\n    build: .\n"
        "networks:\n  n:\n    external: {name: x}\n    name: y\n"
    )
    err = failure(text)
    assert err.message.startswith("network n: network.external.name and network.name conflict")
    assert err.warnings == ""
    # nothing to warn about: nothing to print
    assert failure("services:\n  a:\n    command: x\n").warnings == ""


def test_cli_prints_the_warnings_before_the_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    build: .\n")
    (tmp_path / "s.yaml").write_text(
        "nodes:\n  - name: m\n    role: manager\nstacks:\n  app: docker-compose.yml\n"
    )
    assert main(["plan", str(tmp_path / "s.yaml")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "Ignoring unsupported options: build\n\n"
        "docker-compose.yml:2: invalid image reference for service web: no image specified\n"
    )


def test_stack_name_check() -> None:
    with pytest.raises(InputError) as err:
        load_stack_text("services: {}\n", filename="f.yml", stack=" ' ")
    assert err.value.message == 'invalid stack name: " \' "'


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_stack(tmp_path / "x.yml", "app", env=ENV, display=["x.yml"])
    assert err.value.message == "open x.yml: no such file or directory"
    assert err.value.file == "x.yml"


def test_several_files_merge(tmp_path: Path) -> None:
    base = tmp_path / "base.yml"
    over = tmp_path / "prod.yml"
    base.write_text(
        'version: "3.8"\nservices:\n  web:\n    image: nginx\n    deploy: {replicas: 2}\n'
        "    environment: [A=1, B=2]\n  db:\n    image: postgres\n"
    )
    over.write_text(
        'version: "3.8"\nservices:\n  web:\n    image: nginx:1.25\n    deploy: {replicas: 5}\n'
        "    environment: {B: '3'}\n    build: .\n"
    )
    stack = load_stack([base, over], "app", env=ENV)
    web = {s.short_name: s for s in stack.services}["web"]
    assert (web.image, web.replicas, web.env) == ("nginx:1.25", 5, ("A=1", "B=3"))
    assert {s.short_name for s in stack.services} == {"web", "db"}
    assert stack.warnings == "Ignoring unsupported options: build\n\n"
    assert stack.source == str(base)


def test_several_files_must_agree_on_the_version(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text('version: "3.8"\nservices: {}\n')
    (tmp_path / "b.yml").write_text('version: "3.7"\nservices: {}\n')
    with pytest.raises(InputError) as err:
        load_stack([tmp_path / "a.yml", tmp_path / "b.yml"], "app", display=["a.yml", "b.yml"])
    assert err.value.message == "version mismatched between two composefiles : 3.8 and 3.7"
    assert (err.value.file, err.value.line) == ("b.yml", 1)


def test_errors_in_a_later_file_name_that_file(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "b.yml").write_text("services:\n  web:\n    deploy: {replicas: x}\n")
    with pytest.raises(InputError) as err:
        load_stack([tmp_path / "a.yml", tmp_path / "b.yml"], "app", display=["a.yml", "b.yml"])
    assert str(err.value) == "b.yml:3: services.web.deploy.replicas must be a integer"


def test_interpolation_uses_only_the_given_environment() -> None:
    text = "services:\n  web:\n    image: ${IMG:-nginx}\n    deploy:\n      replicas: ${N:-2}\n"
    assert load(text, env={}).services[0].replicas == 2
    assert load(text, env={"N": "4", "IMG": "httpd"}).services[0].image.startswith("httpd")


def test_merge_keys_lists_like_docker(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        "services:\n  web:\n    image: nginx\n    cap_add: [NET_ADMIN]\n"
        "    ports: ['8080:80', '9090:90']\n    volumes: ['/a:/data', '/b:/logs']\n"
    )
    (tmp_path / "b.yml").write_text(
        "services:\n  web:\n    cap_add: [SYS_TIME]\n    ports: ['8080:81']\n"
        "    volumes: ['/c:/data']\n    command: [echo, hi]\n"
    )
    stack = load_stack([tmp_path / "a.yml", tmp_path / "b.yml"], "app", env=ENV)
    web = stack.services[0]
    # ports merge by published port, volumes by target; both end up sorted by that key
    assert [(p.published, p.target) for p in web.ports] == [(8080, 81), (9090, 90)]
    assert [(m.source, m.target) for m in web.mounts] == [("/c", "/data"), ("/b", "/logs")]
    assert web.command == ("echo", "hi")
