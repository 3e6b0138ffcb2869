"""Published ports of a compose service, read the way ``docker stack deploy`` reads them.

* Short syntax (``"8080:80"``, ``"9000-9002:9000"``, ``"127.0.0.1::5000/udp"``) follows
  go-connections' ``nat.ParsePortSpec``; each resulting port becomes one swarm port
  config the way docker/cli's ``ConvertPortToPortConfig`` builds it (host IPs are dropped
  with a logrus warning, a host range with one container port expands to one config per
  host port, a missing host port is published as 0 = "swarm picks one from 30000-32767").
* Long syntax (``{target: 80, published: 8080, mode: host}``) is taken field by field.
* The service's list is then sorted as docker/cli sorts it (published, target, protocol,
  mode) and normalised as the daemon does (unknown protocol -> tcp, unknown mode ->
  ingress).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction

from swarmsim.compose.gostr import quote
from swarmsim.input.specs import PortConfig

_PROTOCOLS = ("tcp", "udp", "sctp")
_MODES = ("ingress", "host")
_GO_INT = re.compile(r"[+-]?[0-9]+\Z")


def logrus_warning(message: str) -> str:
    """One line as docker's logrus text formatter prints a warning (no timestamp)."""
    return f"level=warning msg={quote(message)}"


def _port_number(text: str) -> int:
    """``strconv.ParseInt(text, 10, 0)`` limited to 0-65535."""
    if text == "":
        raise ValueError("value is empty")
    if not _GO_INT.match(text):
        raise ValueError("invalid syntax")
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError("value out of range (0\u201365535)")
    return value


def _port_range(text: str) -> tuple[int, int]:
    """``nat``'s ``parsePortRange``: ``"80"`` or ``"8000-8010"`` (split at the first ``-``)."""
    if text == "":
        raise ValueError("empty string specified for ports")
    start_text, sep, end_text = text.partition("-")
    start = _port_number(start_text)
    if not sep or start_text == end_text:
        return start, start
    end = _port_number(end_text)
    if end < start:
        raise ValueError("invalid port range: " + text)
    return start, end


def _valid_ip(text: str) -> bool:
    """Go's ``net.ParseIP`` (no zone suffix, no brackets)."""
    if "%" in text:
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _split_spec(raw: str) -> tuple[str, str, str]:
    """``[ip:][host:]container``; an IPv6 address is everything before the last two parts."""
    parts = raw.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    return ":".join(parts[:-2]), parts[-2], parts[-1]


def _mappings(raw: str) -> list[tuple[int, str, str, str]]:
    """``nat.ParsePortSpec``: ``(container port, protocol, host ip, host port text)`` each.

    Raises:
        ValueError: with nat's message when the spec is invalid.
    """
    ip, host, container = _split_spec(raw)
    container, _, proto = container.partition("/")
    if container == "":
        raise ValueError(f"no port specified: {raw}<empty>")
    proto = (proto or "tcp").lower()
    if proto not in _PROTOCOLS:
        raise ValueError("invalid proto: " + proto)
    if ip.startswith("["):
        if not ip.endswith("]") or "]" in ip[:-1]:
            raise ValueError(f"invalid IP address {ip}")
        ip = ip[1:-1]
    if ip and not _valid_ip(ip):
        raise ValueError("invalid IP address: " + ip)
    try:
        start, end = _port_range(container)
    except ValueError:
        raise ValueError("invalid containerPort: " + container) from None
    host_start = host_end = 0
    if host:
        try:
            host_start, host_end = _port_range(host)
        except ValueError:
            raise ValueError("invalid hostPort: " + host) from None
        if end - start != host_end - host_start and end != start:
            raise ValueError(
                f"invalid ranges specified for container and host Ports: {container} and {host}"
            )
    count = end - start + 1
    out = []
    for i in range(count):
        host_port = ""
        if host:
            host_port = str(host_start + i)
            if count == 1 and host_start != host_end:
                host_port += f"-{host_end}"
        out.append((start + i, proto, ip, host_port))
    return out


def parse_port_spec(text: str, warnings: list[str] | None = None) -> list[PortConfig]:
    """Turn one short-syntax port into swarm port configs, as docker/cli does.

    Args:
        text: e.g. ``"8080:80"``, ``"80"``, ``"9000-9002:9000/udp"``, ``"127.0.0.1::5000"``.
        warnings: if given, docker's logrus warning lines for dropped host IPs are
            appended to it (``level=warning msg="ignoring IP-address (...) ..."``).

    Returns:
        The configs in docker/cli's order (by ``"<port>/<proto>"`` text); published 0
        means the swarm assigns a port from 30000-32767 at deploy time.

    Raises:
        ValueError: with go-connections' message when ``text`` is not a port spec.
    """
    mappings = _mappings(text)
    configs: list[PortConfig] = []
    for target, proto, ip, host_port in sorted(mappings, key=lambda m: f"{m[0]}/{m[1]}"):
        if ip and not ipaddress.ip_address(ip).is_unspecified and warnings is not None:
            joined = f"[{ip}]:{host_port}" if ":" in ip else f"{ip}:{host_port}"
            warnings.append(
                logrus_warning(
                    f"ignoring IP-address ({joined}:{target}/{proto}) "
                    "service will listen on '0.0.0.0'"
                )
            )
        first, last = _port_range(host_port) if host_port else (0, 0)
        for published in range(first, last + 1):
            configs.append(PortConfig(target=target, published=published, protocol=proto))
    return configs


def is_port_spec(value: str | int | float) -> bool:
    """The compose schema's ``ports`` format check.

    A string must parse as a short port spec. A number is checked the way docker's
    checker sees it: as an exact rational whose numerator is taken as the port text
    (``80`` -> ``"80"``; ``80.5`` = 161/2 -> ``"161"``, which is valid, so ``80.5``
    passes the schema and fails later at decoding).
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        text = value
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        try:
            text = str(Fraction(repr(value)).numerator)
        except ValueError:  # nan / inf are not JSON numbers
            return False
    else:
        return False
    try:
        _mappings(text)
    except ValueError:
        return False
    return True


def _uint32(value: object) -> tuple[int, str]:
    """mapstructure's decode of a YAML number into a ``uint32`` field: (value, error)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0, ""
    if value < 0:
        shown = f"{value:.6f}" if isinstance(value, float) else str(value)
        return 0, f"cannot parse value as 'uint32': {shown} overflows uint"
    return int(value) & 0xFFFFFFFF, ""


def port_decode_errors(items: Sequence[object]) -> list[tuple[str, str, int]]:
    """The decode-stage errors docker reports for a service's ``ports`` list.

    Returns:
        ``(go_field, message, index in items)`` per error, e.g.
        ``("Ports", "invalid type float64 for port", 0)`` for ``ports: [80.5]``, or
        ``("Ports[0].Target", "cannot parse value as 'uint32': -1 overflows uint", 0)``.
        Only the first float is reported (docker stops there); field errors are all
        reported, indexed in the expanded list as mapstructure numbers them.
    """
    for index, item in enumerate(items):
        if isinstance(item, float):
            return [("Ports", "invalid type float64 for port", index)]
    errors: list[tuple[str, str, int]] = []
    expanded = 0
    for index, item in enumerate(items):
        if isinstance(item, Mapping):
            for key, field in (("target", "Target"), ("published", "Published")):
                _, err = _uint32(item.get(key))
                if err:
                    errors.append((f"Ports[{expanded}].{field}", err, index))
            expanded += 1
        else:
            try:
                expanded += len(parse_port_spec(str(item)))
            except ValueError:
                expanded += 1
    return errors


def _long_port(item: Mapping[str, object]) -> PortConfig:
    return PortConfig(
        target=_uint32(item.get("target"))[0],
        published=_uint32(item.get("published"))[0],
        protocol=str(item.get("protocol") or ""),
        mode=str(item.get("mode") or ""),
    )


def convert_ports(
    items: Sequence[object], warnings: list[str] | None = None
) -> tuple[PortConfig, ...]:
    """A service's ``ports`` list as the daemon receives and stores it.

    Args:
        items: the compose list (strings, integers or long-syntax mappings), already
            schema-valid and free of decode errors (see :func:`port_decode_errors`).
        warnings: receives the logrus warnings for dropped host IPs.

    Returns:
        Port configs sorted by (published, target, protocol, mode) as docker/cli sorts
        them, then with the protocol and mode normalised as the daemon maps them
        (case-insensitive; unknown protocol -> ``tcp``, unknown mode -> ``ingress``).
    """
    raw: list[PortConfig] = []
    for item in items:
        if isinstance(item, Mapping):
            raw.append(_long_port(item))
        else:
            raw.extend(parse_port_spec(str(item), warnings))
    raw.sort(key=lambda p: (p.published, p.target, p.protocol, p.mode))
    out = []
    for port in raw:
        proto = port.protocol.lower() if port.protocol.lower() in _PROTOCOLS else "tcp"
        mode = port.mode.lower() if port.mode.lower() in _MODES else "ingress"
        out.append(PortConfig(port.target, port.published, proto, mode))
    return tuple(out)
