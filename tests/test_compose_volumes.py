"""Service volumes as docker/cli's volumespec.Parse reads them (compose-deploy.md section 4.4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from swarmsim.compose.volumes import (
    TopVolume,
    VolumeConfig,
    parse_volume_spec,
    resolve_bind,
    to_mount,
    top_level_volumes,
    volume_from_mapping,
    volume_spec,
)
from swarmsim.foundation.errors import InputError
from swarmsim.input.specs import Mount, VolumeSpec


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("/anon", VolumeConfig("volume", "", "/anon")),
        ("/a", VolumeConfig("volume", "", "/a")),  # 1-2 character specs are a target
        ("data:/data", VolumeConfig("volume", "data", "/data")),
        ("data:/data:ro", VolumeConfig("volume", "data", "/data", read_only=True)),
        ("data:/data:ro,rw", VolumeConfig("volume", "data", "/data", read_only=False)),
        ("data:/data:nocopy", VolumeConfig("volume", "data", "/data", volume=True)),
        ("./conf:/etc/conf:ro,z", VolumeConfig("bind", "./conf", "/etc/conf", read_only=True)),
        ("/a:/b:rw,rprivate", VolumeConfig("bind", "/a", "/b", bind="rprivate")),
        ("~/x:/x", VolumeConfig("bind", "~/x", "/x")),
        ("C:\\data:/data", VolumeConfig("bind", "C:\\data", "/data")),
        ("\\\\pipe\\x:/x", VolumeConfig("bind", "\\\\pipe\\x", "/x")),
        ("conf:/etc/conf", VolumeConfig("volume", "conf", "/etc/conf")),  # not a bind path
        ("a:b:ro:c", VolumeConfig("bind", "a:b", "ro")),  # docker's Windows-drive quirk
    ],
)
def test_short_syntax(spec, expected):
    assert parse_volume_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("/a:/b:ro:x", "invalid spec: /a:/b:ro:x: too many colons"),
        ("/a::/b", "invalid spec: /a::/b: empty section between colons"),
        ("", "invalid empty volume spec"),
    ],
)
def test_short_syntax_errors(spec, message):
    with pytest.raises(ValueError) as err:
        parse_volume_spec(spec)
    assert str(err.value) == message


def test_long_syntax_blocks():
    vol = volume_from_mapping(
        {"type": "tmpfs", "target": "/tmp", "tmpfs": {"size": 1000}, "read_only": True}
    )
    assert vol == VolumeConfig("tmpfs", "", "/tmp", read_only=True, tmpfs=1000)
    vol = volume_from_mapping(
        {"type": "volume", "source": "d", "target": "/d", "volume": {"nocopy": True}}
    )
    assert vol.volume is True and vol.bind is None


def test_relative_bind_resolved_against_compose_dir():
    warnings: list[str] = []
    vol = resolve_bind(parse_volume_spec("./conf/../etc:/etc/x"), Path("/srv/app"), {}, warnings)
    assert vol.source == "/srv/app/etc"
    assert warnings == []


def test_absolute_bind_kept_verbatim():
    vol = resolve_bind(parse_volume_spec("/a/../b:/b"), Path("/srv"), {}, [])
    assert vol.source == "/a/../b"  # docker does not clean absolute sources


def test_tilde_from_home_in_given_env():
    vol = resolve_bind(parse_volume_spec("~/data:/data"), Path("/srv"), {"HOME": "/home/u"}, [])
    assert vol.source == "/home/u/data"


def test_tilde_without_home_warns_and_resolves_relative():
    warnings: list[str] = []
    vol = resolve_bind(parse_volume_spec("~/data:/data"), Path("/srv"), {}, warnings)
    assert vol.source == "/srv/~/data"
    assert warnings == [
        "level=warning msg=\"cannot expand '~', because the environment lacks HOME\""
    ]


def test_windows_absolute_bind_not_joined():
    vol = resolve_bind(parse_volume_spec("C:\\data:/data"), Path("/srv"), {}, [])
    assert vol.source == "C:\\data"


def test_bind_without_source():
    with pytest.raises(
        ValueError, match='invalid mount config for type "bind": field Source must not be empty'
    ):
        resolve_bind(VolumeConfig("bind", "", "/x"), Path("/srv"), {}, [])


def test_named_volume_scoped_or_named():
    volumes = {"data": TopVolume(), "db": TopVolume(name="shared-db")}
    assert to_mount(parse_volume_spec("data:/data:ro"), "app", volumes) == Mount(
        "volume", "/data", "app_data", True
    )
    assert to_mount(parse_volume_spec("db:/db"), "app", volumes).source == "shared-db"
    assert to_mount(parse_volume_spec("/anon"), "app", volumes) == Mount("volume", "/anon")


def test_undefined_named_volume():
    with pytest.raises(ValueError) as err:
        to_mount(parse_volume_spec("data:/data"), "app", {})
    assert str(err.value) == 'undefined volume "data"'


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"type": "tmpfs", "source": "x", "target": "/t"},
            "invalid tmpfs source, source must be empty",
        ),
        (
            {"type": "bind", "source": "/a", "target": "/t", "volume": {"nocopy": True}},
            "volume options are incompatible with type bind",
        ),
        (
            {"type": "volume", "target": "/t", "bind": {"propagation": "shared"}},
            "bind options are incompatible with type volume",
        ),
        (
            {"type": "nfs", "source": "x", "target": "/t"},
            "volume type must be volume, bind, tmpfs, npipe, or cluster",
        ),
        ({"type": "npipe", "target": "/t"}, "invalid npipe source, source cannot be empty"),
    ],
)
def test_mount_type_errors(entry, message):
    with pytest.raises(ValueError) as err:
        to_mount(volume_from_mapping(entry), "app", {})
    assert str(err.value) == message


def test_external_volume_keeps_its_own_name():
    volumes = top_level_volumes({"data": {"external": True}}, "3.8", [])
    assert volumes["data"] == TopVolume(name="data", external=True)
    assert volume_spec("data", volumes["data"], "app") == VolumeSpec("data", "local", True)


def test_external_name_is_deprecated_from_3_4():
    warnings: list[str] = []
    volumes = top_level_volumes({"v": {"external": {"name": "real"}}}, "3.8", warnings)
    assert volumes["v"].name == "real"
    assert warnings == [
        'level=warning msg="volume v: volume.external.name is deprecated in favor of volume.name"'
    ]
    quiet: list[str] = []
    top_level_volumes({"v": {"external": {"name": "real"}}}, "3.3", quiet)
    assert quiet == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"external": True, "driver": "local"},
            'conflicting parameters "external" and "driver" specified for volume "v"',
        ),
        (
            {"external": True, "driver_opts": {"a": "b"}},
            'conflicting parameters "external" and "driver_opts" specified for volume "v"',
        ),
        (
            {"external": True, "labels": ["a=b"]},
            'conflicting parameters "external" and "labels" specified for volume "v"',
        ),
        (
            {"external": {"name": "x"}, "name": "y"},
            "volume v: volume.external.name and volume.name conflict; only use volume.name",
        ),
    ],
)
def test_external_conflicts(entry, message):
    with pytest.raises(InputError) as err:
        top_level_volumes({"v": entry}, "3.8", [])
    assert err.value.message == message
    assert err.value.keys[:2] == ("volumes", "v")


def test_external_false_allows_driver():
    assert top_level_volumes({"v": {"external": False, "driver": "nfs"}}, "3.8", []) == {
        "v": TopVolume(driver="nfs")
    }
