"""The lines of ``events.jsonl``: one JSON object per record, ``time`` and ``kind`` first,
then the record's other fields, in ``json.dumps(..., separators=(",", ":"))``'s bytes.

A run records millions of events, so a line is built without a dict or an encoder call
where every value is a plain scalar: per record type and per combination of value types
a formatting function is generated once, which writes each value as :mod:`json` would
(strings through the C escaper, floats through ``float.__repr__``, ``NaN`` and
``Infinity`` spelled as :mod:`json` spells them). Any other value (a list, a dict, an
enum) takes the standard encoder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import fields
from json.encoder import encode_basestring_ascii
from operator import attrgetter
from typing import Any, overload

from swarmsim.cluster.state import TaskEvent
from swarmsim.foundation.jsontext import float_text, scalar_writer

_E = encode_basestring_ascii

#: the encoder of every line whose values are not all plain scalars
LINE = json.JSONEncoder(separators=(",", ":"))

#: per record type: its keys in output order, and a getter of their values
_LAYOUTS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}

Writer = Callable[[tuple[Any, ...]], str]

#: per (record type, value types): the function writing one line, or None (not plain)
_WRITERS: dict[tuple[type, tuple[type, ...]], Writer | None] = {}


def _layout(event: Any) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    layout = _LAYOUTS.get(type(event))
    if layout is None:
        names = event._fields if hasattr(event, "_fields") else [f.name for f in fields(event)]
        keys = ("time", "kind", *[n for n in names if n not in ("time", "kind")])
        layout = _LAYOUTS[type(event)] = (keys, attrgetter(*keys))
    return layout


def event_dict(event: Any) -> dict[str, Any]:
    """A record as one JSON object: ``time`` and ``kind`` first, then its fields."""
    keys, values = _layout(event)
    return dict(zip(keys, values(event), strict=True))


def _writer(keys: tuple[str, ...], types: tuple[type, ...]) -> Writer | None:
    template = "{" + ",".join(
        encode_basestring_ascii(k).replace("%", "%%") + ":%s" for k in keys) + "}"
    return scalar_writer(template, types)


def event_line(event: Any) -> str:
    """One line of ``events.jsonl`` (without its newline)."""
    keys, values = _layout(event)
    v = values(event)
    key = (type(event), tuple(map(type, v)))
    try:
        write = _WRITERS[key]
    except KeyError:
        write = _WRITERS[key] = _writer(keys, key[1])
    if write is None:
        return LINE.encode(dict(zip(keys, v, strict=True)))
    return write(v)


class TaskLines:
    """Writes lines as :func:`event_line` does, a task record's faster: the text of its
    task, id and service is kept per task, and the text of the rest (node, states,
    container, message, error: a few thousand combinations in a run) per combination,
    so a task record costs two look-ups and its time (made for one file's lines: the
    texts are held until it is dropped)."""

    def __init__(self) -> None:
        self._heads: dict[tuple[str, str, str], str] = {}
        self._tails: dict[tuple[Any, ...], str] = {}

    def line(self, e: Any) -> str:
        """One line of ``events.jsonl`` (without its newline)."""
        if type(e) is not TaskEvent or type(e.actual) is not bool or type(e.time) is not float:
            return event_line(e)
        ref = (e.task, e.id, e.service)
        head = self._heads.get(ref)
        if head is None:
            if not (type(e.task) is type(e.id) is type(e.service) is str and e.kind == "task"):
                return event_line(e)
            head = self._heads[ref] = (f',"kind":"task","task":{_E(e.task)},"id":{_E(e.id)}'
                                        f',"service":{_E(e.service)},')
        key = (e.node, e.state, e.desired_state, e.actual, e.message, e.error)
        tail = self._tails.get(key)
        if tail is None:
            if not (type(e.state) is type(e.desired_state) is type(e.message) is type(e.error)
                    is str and (e.node is None or type(e.node) is str)):
                return event_line(e)
            node = "null" if e.node is None else _E(e.node)
            tail = self._tails[key] = (
                f'"node":{node},"state":{_E(e.state)},"desired_state":{_E(e.desired_state)},'
                f'"actual":{"true" if e.actual else "false"},"message":{_E(e.message)},'
                f'"error":{_E(e.error)}}}')
        t = e.time
        return '{"time":' + (float.__repr__(t) if t - t == 0 else float_text(t)) + head + tail


def _plain(d: dict[str, Any]) -> bool:
    return all(v is None or type(v) in (str, int, float, bool) for v in d.values())


def event_record(event: Any) -> dict[str, Any]:
    """A record as ``json.loads`` reads its line back, built without the text round trip
    where the record holds only plain values."""
    d = event_dict(event)
    return d if _plain(d) else json.loads(LINE.encode(d))


class EventRecords(Sequence[dict[str, Any]]):
    """A run's records as ``events.jsonl``'s objects, each built when it is read (none is
    held): what :func:`json.loads` of each line gives, without the file.

    :meth:`of_kind` reads only the records of some kinds, so a reader of the task changes
    skips the rest without building them.
    """

    def __init__(self, events: Sequence[Any]) -> None:
        self._events = events

    @property
    def records(self) -> Sequence[Any]:
        """The run's records themselves."""
        return self._events

    def __len__(self) -> int:
        return len(self._events)

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return [event_record(e) for e in self._events[i]]
        return event_record(self._events[i])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(event_record, self._events)

    def of_kind(self, *kinds: str,
                task_states: Container[str] | None = None) -> Iterator[dict[str, Any]]:
        """The records whose ``kind`` is one of ``kinds``, in order (task records only in
        one of ``task_states`` when given)."""
        wanted = set(kinds)
        for e in self._events:
            kind = getattr(e, "kind", None)
            if kind in wanted and (task_states is None or kind != "task"
                                   or e.state in task_states):
                yield event_record(e)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EventRecords):
            return self._events == other._events
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


def of_kind(events: Sequence[dict[str, Any]], *kinds: str,
            task_states: Container[str] | None = None) -> Iterator[dict[str, Any]]:
    """The records of ``events`` (loaded from a file or an :class:`EventRecords`) whose
    ``kind`` is one of ``kinds`` (task records only in one of ``task_states`` when
    given)."""
    if isinstance(events, EventRecords):
        return events.of_kind(*kinds, task_states=task_states)
    wanted = set(kinds)
    return (e for e in events if (kind := e.get("kind")) in wanted and (
        task_states is None or kind != "task" or e.get("state") in task_states))
