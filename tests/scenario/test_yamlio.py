"""Tests of the safe YAML reader: core schema, positions, refused tags, budgets, bad files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.scenario import ScenarioError
from sim.scenario.yamldump import dump_plain
from sim.scenario.yamlio import MAX_FILE_BYTES, read_file, read_text

from .conftest import Write, messages


def read(text: str) -> object:
    return read_text(text, "t.yaml", Path("."))[0]


def refused(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        read_file(path, str(path))
    return messages(caught.value)


class TestScalars:
    def test_unquoted_clock_time_stays_text(self) -> None:
        """An unquoted 14:00 is the text '14:00', never YAML 1.1's base-60 integer 840."""
        assert read("at: 14:00\nb: 1:30:00\n") == {"at": "14:00", "b": "1:30:00"}

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("1", 1),
            ("-7", -7),
            ("010", 10),
            ("1_000", 1000),
            ("0x1F", 31),
            ("0o17", 15),
            ("2.5", 2.5),
            ("1e5", 100000.0),
            (".5", 0.5),
            ("true", True),
            ("False", False),
            ("null", None),
            ("~", None),
            ("", None),
            ("yes", "yes"),
            ("on", "on"),
            ("2017-12-06", "2017-12-06"),
            ("2017-12-06T09:30:00", "2017-12-06T09:30:00"),
            ("2h", "2h"),
            ("'1'", "1"),
            ('"true"', "true"),
            ("!!str 5", "5"),
            ("!!float 5", 5.0),
            ("!!int '5'", 5),
        ],
    )
    def test_core_schema(self, text: str, value: object) -> None:
        """Only true/false, null and plain numbers are typed; everything else stays text."""
        assert read(f"v: {text}\n") == {"v": value}

    def test_special_floats(self) -> None:
        """.inf and .nan are floats (so that the scenario layer can refuse them by name)."""
        value = read("a: .inf\nb: -.inf\nc: .nan\n")
        assert isinstance(value, dict)
        assert value["a"] == math.inf and value["b"] == -math.inf and math.isnan(value["c"])

    def test_bad_explicit_tag_value(self) -> None:
        """A value that does not fit its explicit standard tag is an error at its line."""
        with pytest.raises(ScenarioError) as caught:
            read_text("a: 1\nb: !!int x\n", "t.yaml", Path("."))
        assert messages(caught.value) == ["t.yaml:2: 'x' is not a valid !!int"]

    def test_too_many_digits(self) -> None:
        """An integer with hundreds of digits is refused rather than converted."""
        with pytest.raises(ScenarioError) as caught:
            read_text("a: " + "9" * 300 + "\n", "t.yaml", Path("."))
        assert messages(caught.value) == [
            f"t.yaml:1: the number '{'9' * 59}…' has more than 200 digits"
        ]


class TestPositions:
    def test_every_key_and_item_has_its_line(self) -> None:
        """The Pos tree has the line of every key and list item; a missing key finds its parent."""
        _value, pos = read_text("a:\n  b: 1\n  c:\n    - x\n    - y\n", "t.yaml", Path("."))
        assert pos.find(("a",)).line == 1
        assert pos.find(("a", "b")).line == 2
        assert pos.find(("a", "c", 1)).line == 5
        assert pos.find(("a", "missing")).line == 1

    def test_aliases_and_merge_keys(self) -> None:
        """Aliases copy the anchored value; '<<' merges it under the explicit keys."""
        value = read("base: &b {k: 1, j: 2}\nuse: *b\nmix:\n  <<: *b\n  k: 3\n")
        assert value == {
            "base": {"k": 1, "j": 2},
            "use": {"k": 1, "j": 2},
            "mix": {"k": 3, "j": 2},
        }

    def test_command_line_values_have_no_line(self) -> None:
        """Text read with lines=False (a --set value) carries origins without a line."""
        _value, pos = read_text("{a: 1}", "--set", Path("."), lines=False)
        assert pos.find(("a",)).line is None
        assert pos.find(("a",)).file == "--set"


class TestFlowStyleCommas:
    def test_distribution_stays_whole_in_a_flow_mapping(self) -> None:
        """{ack: lognormal(150ms, 80ms)} keeps the distribution whole, as the format writes it."""
        assert read("a: {ack: lognormal(150ms, 80ms), connections: 2}\n") == {
            "a": {"ack": "lognormal(150ms, 80ms)", "connections": 2}
        }
        assert read("a: {after: {stat: lognormal(45min, 10min), routine: f(1, 2, 3)}}\n") == {
            "a": {"after": {"stat": "lognormal(45min, 10min)", "routine": "f(1, 2, 3)"}}
        }

    def test_distribution_stays_whole_in_a_flow_list(self) -> None:
        """[uniform(1s, 2s), exponential(1s)] is two items."""
        assert read("a: [uniform(1s, 2s), exponential(1s)]\n") == {
            "a": ["uniform(1s, 2s)", "exponential(1s)"]
        }

    def test_quoted_and_block_values_are_untouched(self) -> None:
        """Quoted text and block values are read exactly as YAML reads them."""
        assert read("a: {x: 'f(1', y: 2)}\nb: f(1, 2)\n") == {
            "a": {"x": "f(1", "y": "2)"},
            "b": "f(1, 2)",
        }

    def test_a_colon_inside_is_refused(self) -> None:
        """A key-like piece inside the parentheses is refused with a hint to quote."""
        with pytest.raises(ScenarioError) as caught:
            read_text("a: {x: f(1, b: 2)}\n", "t.yaml", Path("."))
        assert messages(caught.value) == [
            "t.yaml:1: a value with a comma inside parentheses must not be followed by ':' in a "
            "{...} mapping; put it in quotes, e.g. ack: 'lognormal(150ms, 80ms)'"
        ]


class TestRefused:
    def test_python_tag(self, write: Write) -> None:
        """A !!python/object tag is refused at its line; nothing is constructed."""
        path = write("evil.yaml", "name: x\nhorizon: !!python/object/apply:os.system ['echo hi']\n")
        assert refused(path) == [
            f"{path}:2: the tag '!!python/object/apply:os.system' is not allowed: scenario files "
            "hold plain data (text, numbers, true/false, lists and mappings)"
        ]

    def test_custom_tag_on_a_mapping(self, write: Write) -> None:
        """Any non-standard tag, also on a mapping, is refused."""
        path = write("evil.yaml", "name: x\nflows: !thing {a: 1}\n")
        assert refused(path) == [
            f"{path}:2: the tag '!thing' is not allowed: scenario files hold plain data (text, "
            "numbers, true/false, lists and mappings)"
        ]

    def test_alias_bomb_is_refused_by_the_budget(self, write: Write) -> None:
        """A billion-laughs file is refused by the value budget, which counts expansions."""
        lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        for level in range(1, 10):
            refs = ", ".join([f"*a{level - 1}"] * 9)
            lines.append(f"a{level}: &a{level} [{refs}]")
        path = write("bomb.yaml", "\n".join(lines) + "\n")
        assert refused(path) == [
            f"{path}:6: the file holds more than 200000 values, counting every alias expansion; "
            "this budget protects against alias bombs (a scenario is never this large), so write "
            "the values out or use fewer aliases"
        ]

    def test_nesting_budget(self, write: Write) -> None:
        """Lists nested deeper than the budget are refused at the line of the too-deep one."""
        path = write("deep.yaml", "a: " + "[" * 100 + "]" * 100 + "\n")
        assert refused(path) == [f"{path}:1: lists and mappings are nested more than 64 deep"]

    def test_size_budget(self, write: Write) -> None:
        """A file larger than the size budget is refused before it is parsed."""
        path = write("big.yaml", "# " + "x" * MAX_FILE_BYTES + "\n")
        assert refused(path) == [
            f"{path}: is larger than 2048 KiB; a scenario file is never this large"
        ]

    def test_duplicate_key(self, write: Write) -> None:
        """A key written twice in one mapping is an error naming both lines."""
        path = write("dup.yaml", "name: x\nhorizon: 1h\nname: y\n")
        assert refused(path) == [
            f"{path}:3: the key 'name' appears twice in this mapping (first on line 1)"
        ]

    def test_second_document(self, write: Write) -> None:
        """A second YAML document is refused at its '---'."""
        path = write("two.yaml", "name: x\n---\nname: y\n")
        assert refused(path) == [
            f"{path}:2: a second YAML document starts here ('---'); a scenario file holds one"
        ]

    def test_undefined_alias(self, write: Write) -> None:
        """An alias without an anchor is refused at its line."""
        path = write("alias.yaml", "a: 1\nb: *nothing\n")
        assert refused(path) == [f"{path}:2: the alias '*nothing' names no anchor defined above it"]

    def test_mapping_as_key(self, write: Write) -> None:
        """A list or mapping used as a key is refused."""
        path = write("key.yaml", "a: 1\n? [x, y]\n: 2\n")
        assert refused(path) == [f"{path}:2: a key must be plain text, not a list or mapping"]


class TestBadFiles:
    def test_empty_file_is_line_1(self, write: Write) -> None:
        """An empty file (or one of comments only) is an error at line 1."""
        for text in ("", "# nothing here\n\n"):
            path = write("empty.yaml", text)
            assert refused(path) == [
                f"{path}:1: the file is empty; a scenario needs at least 'name', 'horizon', "
                "'flows' and 'systems'"
            ]

    def test_binary_file_is_line_1(self, tmp_path: Path) -> None:
        """A binary file is reported at line 1."""
        path = tmp_path / "bin.yaml"
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        assert refused(path) == [f"{path}:1: this is a binary file, not a YAML scenario"]

    def test_non_utf8_file_is_line_1(self, tmp_path: Path) -> None:
        """A Latin-1 file is reported at line 1, naming the byte and its line."""
        path = tmp_path / "latin1.yaml"
        path.write_bytes(b"name: x\ntitle: Sundhedsplatformen p\xe5 Herlev\n")
        assert refused(path) == [
            f"{path}:1: the file is not UTF-8 text (byte 0xe5 on line 2); save it as UTF-8"
        ]

    def test_utf16_file(self, tmp_path: Path) -> None:
        """A UTF-16 file is named as such."""
        path = tmp_path / "u16.yaml"
        path.write_bytes("name: x\n".encode("utf-16"))
        assert refused(path) == [f"{path}:1: the file is UTF-16 text; save it as UTF-8"]

    def test_folder_and_missing_file(self, tmp_path: Path) -> None:
        """A folder and a missing file get clear errors naming them."""
        assert refused(tmp_path) == [f"{tmp_path}: is a folder, not a file"]
        assert refused(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such file"]

    def test_syntax_error_has_the_parser_line(self, write: Write) -> None:
        """A YAML syntax error names the line the parser stopped at."""
        path = write("syntax.yaml", "name: x\nflows:\n  a: {from: ehr\nsystems: {}\n")
        assert refused(path) == [
            f"{path}:4: YAML syntax error: expected ',' or '}}', but got ':' (while parsing a "
            "flow mapping on line 3)"
        ]

    def test_tab_indentation(self, write: Write) -> None:
        """A tab used for indentation gets a hint to use spaces."""
        path = write("tab.yaml", "name: x\n\tflows: 1\n")
        assert refused(path) == [
            f"{path}:2: YAML syntax error: found character '\\t' that cannot start any token; "
            "indent with spaces, not tabs"
        ]

    def test_control_character(self, write: Write) -> None:
        """A control character is refused at its line."""
        path = write("ctl.yaml", "name: x\ntitle: a\x07b\n")
        assert refused(path) == [
            f"{path}:2: the control character #x0007 is not allowed in a YAML file"
        ]

    def test_top_level_list(self, write: Write) -> None:
        """A file whose top level is a list, not a mapping, is refused."""
        path = write("list.yaml", "- 1\n- 2\n")
        assert refused(path) == [
            f"{path}:1: the top level must be a mapping of keys such as 'name: ...' and "
            "'horizon: ...', not a list"
        ]


class TestDump:
    def test_text_that_looks_typed_is_quoted(self) -> None:
        """Text our reader (or YAML 1.1) would read as another type is written quoted."""
        data = {"a": "14:00", "b": "yes", "c": "1e5", "d": "0o17", "e": "", "f": "plain"}
        text = dump_plain(data)
        assert read(text) == data
        assert "f: plain\n" in text
        assert "c: '1e5'\n" in text

    def test_shared_values_are_written_out(self) -> None:
        """Values shared by reference are written in full, never as anchors."""
        shared = {"k": 1}
        text = dump_plain({"a": shared, "b": shared})
        assert "&" not in text and "*" not in text
