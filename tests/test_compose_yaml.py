"""yaml.v3 behaviour of the compose YAML layer (compose-deploy.md §6.1, yaml.v3 sources)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swarmsim.compose import yamlv3
from swarmsim.compose.gostr import format_value, parse_float, parse_int, quote
from swarmsim.compose.yamlv3 import GeneralMap, LineMap, load_yaml_text, parse
from swarmsim.foundation.errors import InputError


def value_of(scalar: str) -> object:
    return parse(f"v: {scalar}\n")[0]["v"]


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        # YAML 1.1 booleans are plain strings for yaml.v3
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("Off", "Off"),
        ("y", "y"),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("tRue", "tRue"),
        # base 60 is gone: docker's classic port gotcha
        ("22:22", "22:22"),
        # octal: YAML 1.1 spelling still decoded, 1.2 spelling too
        ("0400", 256),
        ("0o400", 256),
        ("-0o10", -8),
        # "08" is not an octal int, so Go's float parse takes it
        ("08", 8.0),
        ("1e3", 1000.0),
        ("1_000", 1000),
        ("0x1F", 31),
        ("0b101", 5),
        ("+5", 5),
        ("1.", 1.0),
        (".5", 0.5),
        ("3.10", 3.1),
        # bigger than int64/uint64: a float
        ("99999999999999999999", 1e20),
        ("18446744073709551615", 18446744073709551615),
        # no timestamps: kept as text
        ("2024-01-01", "2024-01-01"),
        ("~", None),
        ("null", None),
        ("Null", None),
        ("", None),
        ('"yes"', "yes"),
        ("'0400'", "0400"),
        ("!!str 12", "12"),
        ("!!float 3", 3.0),
        ("<<", "<<"),
        ("1e", "1e"),
        ("0x", "0x"),
        ("_1", "_1"),
    ],
)
def test_scalars_resolve_like_yaml_v3(scalar: str, expected: object) -> None:
    got = value_of(scalar)
    assert got == expected
    assert type(got) is type(expected)


def test_special_floats() -> None:
    assert value_of(".inf") == math.inf
    assert value_of("-.Inf") == -math.inf
    assert math.isnan(value_of(".NaN"))  # type: ignore[arg-type]


def test_tag_mismatch_is_an_error() -> None:
    with pytest.raises(InputError) as err:
        parse("a: !!int abc\n")
    assert err.value.message == "yaml: cannot decode !!str `abc` as a !!int"


def test_duplicate_key_message_matches_yaml_v3() -> None:
    text = 'version: "3.8"\nservices:\n  web:\n    image: nginx\n    image: httpd\n'
    with pytest.raises(InputError) as err:
        parse(text)
    assert err.value.message == (
        'yaml: unmarshal errors:\n  line 5: mapping key "image" already defined at line 4'
    )
    assert err.value.line == 5


def test_every_duplicate_is_listed_in_document_order() -> None:
    text = "a:\n  x: 1\n  x: 2\nb:\n  y: 1\n  y: 2\n  y: 3\n"
    with pytest.raises(InputError) as err:
        parse(text)
    assert err.value.message == (
        "yaml: unmarshal errors:\n"
        '  line 3: mapping key "x" already defined at line 2\n'
        '  line 6: mapping key "y" already defined at line 5\n'
        '  line 7: mapping key "y" already defined at line 5\n'
        '  line 7: mapping key "y" already defined at line 6'
    )


def test_a_mapping_with_duplicates_is_not_descended_into() -> None:
    # yaml.v3 stops decoding a mapping whose keys repeat, so nested repeats go unreported
    with pytest.raises(InputError) as err:
        parse("a: 1\nb:\n  x: 1\n  x: 2\na: 2\n")
    assert err.value.message == (
        'yaml: unmarshal errors:\n  line 5: mapping key "a" already defined at line 1'
    )


def test_quoted_and_plain_spellings_of_a_key_are_duplicates() -> None:
    # yaml.v3 compares the key text, not the decoded value
    with pytest.raises(InputError, match='line 3: mapping key "1" already defined at line 2'):
        parse('a:\n  1: x\n  "1": y\n')


def test_merge_keys_explicit_keys_win() -> None:
    text = (
        "x-deploy: &default\n"
        "  replicas: 2\n"
        "  restart_policy: {condition: on-failure}\n"
        "services:\n"
        "  web: {image: nginx, deploy: {<<: *default, replicas: 3}}\n"
        "  api: {image: httpd, deploy: *default}\n"
    )
    data, _ = parse(text)
    assert data["services"]["web"]["deploy"] == {
        "replicas": 3,
        "restart_policy": {"condition": "on-failure"},
    }
    assert data["services"]["api"]["deploy"]["replicas"] == 2


def test_merge_of_a_list_earlier_maps_win() -> None:
    data, _ = parse("a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc: {<<: [*a, *b], w: 0}\n")
    assert data["c"] == {"w": 0, "x": 1, "y": 1, "z": 2}


def test_merge_needs_mappings() -> None:
    with pytest.raises(InputError) as err:
        parse("a: &a [1]\nb: {<<: *a}\n")
    assert err.value.message == "yaml: map merge requires map or sequence of maps as the value"


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    data, _ = parse('a: {"<<": 1}\n')
    assert data == {"a": {"<<": 1}}


def test_alias_errors() -> None:
    with pytest.raises(InputError) as err:
        parse("a: *nope\n")
    assert err.value.message == "yaml: unknown anchor 'nope' referenced"
    with pytest.raises(InputError) as err:
        parse("a: &a [*a]\n")
    assert err.value.message == "yaml: anchor 'a' value contains itself"


def test_billion_laughs_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    with pytest.raises(InputError) as err:
        parse("\n".join(lines) + "\n")
    assert err.value.message == "yaml: document contains excessive aliasing"


SYNTAX_CASES = [
    # the only syntax error in docker's corpus, word for word
    (
        'version: "3.8"\nservices:\n\tweb:\n    image: nginx\n',
        "yaml: line 3: found character that cannot start any token",
    ),
    # yaml.v3 reports no line for a problem on the first line
    ("a: b: c\n", "yaml: mapping values are not allowed in this context"),
    ("x: 1\na: b: c\n", "yaml: line 2: mapping values are not allowed in this context"),
    # parser errors report the (0-based) line where the enclosing mapping starts
    (
        "services:\n  web:\n    image: nginx\n   foo: bar\n",
        "yaml: line 1: did not find expected key",
    ),
    ("a: [1, 2\nb: 3\n", "yaml: line 1: did not find expected ',' or ']'"),
    ('x: 1\na: "abc\n', "yaml: line 2: found unexpected end of stream"),
]


@pytest.mark.parametrize(("text", "message"), SYNTAX_CASES)
def test_syntax_errors_use_yaml_v3_wording(text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse(text)
    assert err.value.message == message


@pytest.mark.parametrize(("text", "message"), SYNTAX_CASES)
def test_pure_python_parser_words_errors_the_same(
    text: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yamlv3, "_CParser", None)  # as on a PyYAML built without libyaml
    with pytest.raises(InputError) as err:
        parse(text)
    assert err.value.message == message


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n", "[1, 2]\n", "42\n", "1: a\n"])
def test_top_level_must_be_a_string_keyed_mapping(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse(text)
    assert err.value.message == "top-level object must be a mapping"


def test_only_the_first_document_is_read() -> None:
    assert parse("a: 1\n---\nb: 2\n")[0] == {"a": 1}


def test_non_string_keys_make_a_general_map() -> None:
    data, _ = parse("a:\n  1: x\n  true: y\nb: {k: v}\n")
    assert isinstance(data["a"], GeneralMap)
    assert not isinstance(data["b"], GeneralMap)


def test_line_map_records_keys_and_list_items() -> None:
    text = (
        "version: '3.8'\n"  # 1
        "services:\n"  # 2
        "  web:\n"  # 3
        "    image: nginx\n"  # 4
        "    ports:\n"  # 5
        '      - "80:80"\n'  # 6
        "      - target: 443\n"  # 7
        "        published: 8443\n"  # 8
    )
    _, lines = parse(text)
    assert lines.lookup(("services", "web", "image")) == 4
    assert lines.lookup(("services", "web", "ports", 0)) == 6
    assert lines.lookup(("services", "web", "ports", 1)) == 7
    assert lines.lookup(("services", "web", "ports", 1, "published")) == 8
    # the deepest existing prefix answers for a path that does not exist
    assert lines.lookup(("services", "web", "deploy", "replicas")) == 3
    assert lines.lookup(("nothing",)) is None
    assert lines.lookup(None) is None


def test_line_map_of_merged_keys_points_at_the_anchor() -> None:
    text = "base: &b\n  replicas: 2\nweb:\n  <<: *b\n  image: x\n"
    _, lines = parse(text)
    assert lines.lookup(("web", "replicas")) == 2
    assert lines.lookup(("web", "image")) == 5
    assert LineMap({("a",): 3}).lookup(("a", "b", 0)) == 3


def test_load_yaml_text_is_the_same_parser() -> None:
    assert load_yaml_text("on: yes\n")[0] == {"on": "yes"}


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_decimal_ints_round_trip(n: int) -> None:
    assert value_of(str(n)) == n


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12))
def test_lowercase_words_stay_strings_unless_bool_or_null(word: str) -> None:
    expected: object = {"true": True, "false": False, "null": None}.get(word, word)
    assert value_of(word) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_go_formatted_floats_parse_back(x: float) -> None:
    # %v output of a float64 is read back as the same float by Go's ParseFloat
    assert parse_float(format_value(x))[0] == x


def test_go_number_parsing_and_printing() -> None:
    assert quote('a"b\\c\n\x01\u00a0é') == '"a\\"b\\\\c\\n\\x01\\u00a0é"'
    assert parse_int("0x1F") == (31, "")
    assert parse_int("08") == (None, "invalid syntax")
    assert parse_int("9223372036854775808") == (None, "value out of range")
    assert parse_float("1_000.5") == (1000.5, "")
    assert parse_float("1e400") == (None, "value out of range")
    assert [format_value(v) for v in (3.8, 1e6, 123456.0, 1e-5, None, True, [1, "a"])] == [
        "3.8",
        "1e+06",
        "123456",
        "1e-05",
        "<nil>",
        "true",
        "[1 a]",
    ]
