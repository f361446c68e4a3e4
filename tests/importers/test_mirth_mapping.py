"""Mirth destination connectors as ehrsim systems: ids, queue settings, what is a comment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.importers.mirth import read_exports
from sim.importers.mirth_topology import Topology, duration, topology_from_channels
from sim.importers.topology_yaml import render_topology
from sim.slugs import slugify

DATA = Path(__file__).parents[1] / "data" / "mirth"
V4 = DATA / "v4-lab-orders.xml"
V3 = DATA / "v3-list.xml"
NORDBY = Path(__file__).parents[2] / "scenarios" / "examples" / "nordby" / "mirth-export.xml"


def imported(*paths: Path) -> tuple[Topology, str, dict[str, Any]]:
    """The topology, its text, and the systems as the YAML reader sees them."""
    topology = topology_from_channels([str(p) for p in paths], read_exports(list(paths)))
    text = render_topology(topology)
    return topology, text, yaml.safe_load(text)["systems"]


class TestIds:
    """Which id each destination gets."""

    def test_one_system_per_enabled_destination_in_order(self) -> None:
        """Disabled destinations, disabled channels and routes to channels are not systems."""
        _, _, systems = imported(V4, V3)
        assert list(systems) == [
            "labka",
            "microbiology",
            "pathology",
            "lab-orders",
            "adt-feed",
            "adt-feed-2",
            "medcom-vans",
            "medcom-letter-copy-to-medcom-archive",
            "adt-feed-3",
        ]

    def test_default_names_take_the_channels_name(self) -> None:
        """'Destination 5' of 'Lab Orders' is lab-orders; the second of a channel gets -2."""
        topology, _, _ = imported(V4, V3)
        by_name = {s.destination.name: s.id for s in topology.systems}
        assert by_name["Destination 5"] == "lab-orders"
        assert by_name["Destination 2"] == "adt-feed-2"

    def test_a_clash_keeps_the_first_and_numbers_the_rest_saying_so(self) -> None:
        """A destination named like an earlier id gets the next number, and a note says why."""
        topology, _, _ = imported(V3)
        assert [s.id for s in topology.systems][-1] == "adt-feed-3"
        assert (
            f"note: {V3}: channel 'Kitchen orders', destination 'ADT Feed': id 'adt-feed' is "
            "taken by channel 'ADT Feed', destination 'Destination 1': this one is 'adt-feed-3'"
        ) in topology.messages

    def test_medcom_destinations_start_with_medcom(self) -> None:
        """By its own name ('MedCom VANS') or its channel's ('MedCom Discharge Letters')."""
        _, _, systems = imported(V3, NORDBY)
        assert "medcom-vans" in systems
        assert "medcom-vans-gateway" in systems
        assert "vans-gateway" not in systems

    def test_a_second_ehr_and_an_id_yaml_would_read_as_a_number(self, tmp_path: Path) -> None:
        """Two destinations named EHR: 'ehr' and 'ehr-2', with a hint to merge them; a
        destination named '2024' gets '2024-system', which YAML reads as text."""
        text = V4.read_text(encoding="utf-8")
        for old, new in (("Labka", "EHR"), ("Microbiology", "EHR"), ("Pathology", "2024")):
            text = text.replace(f"<name>{old}</name>", f"<name>{new}</name>")
        renamed = tmp_path / "renamed.xml"
        renamed.write_text(text, encoding="utf-8")
        topology, _, systems = imported(renamed)
        assert list(systems)[:3] == ["ehr", "ehr-2", "2024-system"]
        (hint,) = [m for m in topology.messages if "'ehr-2'" in m]
        assert hint.endswith(
            "ehrsim has one EHR ('ehr'): merge the channels into it by hand if "
            "both deliver to the EHR"
        )

    @pytest.mark.parametrize(
        ("name", "slug"),
        [
            ("Blood Bank (ProSang)", "blood-bank-prosang"),
            ("Røntgen Ærø Å", "roentgen-aeroe-aa"),
            ("  EHR  ", "ehr"),
            ("Lab_Orders.v2", "lab-orders-v2"),
        ],
    )
    def test_slugify(self, name: str, slug: str) -> None:
        """Lower case ASCII (Danish letters spelt out), anything else one '-'."""
        assert slugify(name) == slug


class TestQueueSettings:
    """Each queue setting's mapping."""

    def test_one_thread_is_strict_order_on_one_connection(self) -> None:
        """threadCount 1: connections 1, order strict."""
        _, _, systems = imported(V4)
        assert systems["labka"]["connections"] == 1
        assert systems["labka"]["strategy"]["order"] == "strict"

    def test_four_threads_with_an_assignment_variable_are_per_patient(self) -> None:
        """threadCount 4 with threadAssignmentVariable: connections 4, order per-patient."""
        _, _, systems = imported(V4)
        assert systems["microbiology"]["connections"] == 4
        assert systems["microbiology"]["strategy"]["order"] == "per-patient"

    def test_four_threads_without_a_variable_keep_no_order(self) -> None:
        """threadCount 4 without one: connections 4, order none."""
        _, _, systems = imported(V4)
        assert systems["pathology"]["connections"] == 4
        assert systems["pathology"]["strategy"]["order"] == "none"

    def test_retry_interval_is_a_fixed_first(self) -> None:
        """retryIntervalMillis 20000: backoff fixed, first 20s; 0: immediate."""
        _, _, systems = imported(V4, V3)
        assert systems["microbiology"]["strategy"]["retry"] == {"backoff": "fixed", "first": "20s"}
        assert systems["adt-feed-2"]["strategy"]["retry"] == {"backoff": "immediate"}

    def test_a_queued_message_is_retried_without_limit(self) -> None:
        """Queue on, no rotate: attempts stays unlimited (a commented line says why)."""
        _, text, systems = imported(V4)
        assert "attempts" not in systems["labka"]["strategy"]["retry"]
        assert "# attempts: unlimited" in text

    def test_rotate_parks_after_the_sends_before_queueing(self) -> None:
        """retryCount 3 sent first, rotate: attempts 4, then park."""
        _, _, systems = imported(V3)
        retry = systems["adt-feed"]["strategy"]["retry"]
        assert retry == {"backoff": "fixed", "first": "5s", "attempts": 4, "then": "park"}

    def test_rotate_with_the_queue_always_on_parks_after_one_send(self) -> None:
        """Queue always (sendFirst off), rotate: attempts 1, then park."""
        _, _, systems = imported(NORDBY)
        retry = systems["radiology-orders"]["strategy"]["retry"]
        assert (retry["attempts"], retry["then"], retry["first"]) == (1, "park", "1min")

    def test_queue_off_gives_up_after_the_retries(self) -> None:
        """Queue off, retryCount 2: attempts 3 then dead-letter, on the source's threads."""
        _, _, systems = imported(V3)
        vans = systems["medcom-vans"]
        assert vans["strategy"]["retry"] == {
            "backoff": "fixed",
            "first": "30s",
            "attempts": 3,
            "then": "dead-letter",
        }
        assert (vans["connections"], vans["strategy"]["order"]) == (3, "none")

    def test_response_timeouts_with_units(self) -> None:
        """responseTimeout 30000 -> 30s, 45000 -> 45s, 1500 -> 1500ms; socketTimeout 120000 -> 2min;
        0 (wait for ever) leaves the format's default and says so."""
        topology, _, systems = imported(V4, V3)
        assert [
            systems[s]["timeout"] for s in ("labka", "microbiology", "pathology", "lab-orders")
        ] == [
            "30s",
            "45s",
            "1500ms",
            "2min",
        ]
        assert "timeout" not in systems["adt-feed"]
        assert any("responseTimeout 0 waits for ever" in m for m in topology.messages)

    @pytest.mark.parametrize(
        ("ms", "text"),
        [
            (30000, "30s"),
            (60000, "1min"),
            (5400000, "90min"),
            (7200000, "2h"),
            (86400000, "1d"),
            (250, "250ms"),
        ],
    )
    def test_duration(self, ms: int, text: str) -> None:
        """The largest unit that keeps the number whole."""
        assert duration(ms) == text

    def test_nak_and_timeout_handling(self) -> None:
        """validateResponse with the queue on: a NAK errors (dead-letter); queue off: retried;
        queueOnResponseTimeout off: a timeout errors."""
        _, _, systems = imported(V4, V3)
        assert systems["labka"]["strategy"]["on_reply"] == {
            "AE": "dead-letter",
            "AR": "dead-letter",
        }
        assert systems["medcom-vans"]["strategy"]["on_reply"] == {"AR": "retry"}
        assert systems["pathology"]["strategy"]["on_reply"] == {"timeout": "dead-letter"}

    def test_ack_is_a_commented_placeholder_and_no_top_level_strategy(self) -> None:
        """Every system has '# ack:' and no ack key; the file has no top-level strategy."""
        topology, text, systems = imported(V4, V3, NORDBY)
        assert all("ack" not in system for system in systems.values())
        assert text.count("    # ack: lognormal(81ms, 102ms)") == len(topology.systems)
        document = yaml.safe_load(text)
        assert set(document) == {"partial", "systems"} and document["partial"] is True


class TestNotModelled:
    """What ehrsim has no key for is a comment and a line for stderr, never dropped silently."""

    def test_a_javascript_transformer_is_a_comment_and_a_message(self) -> None:
        """The destination's JavaScript step, with its name, in both places."""
        topology, text, _ = imported(V4)
        item = "transformer: 1 step: JavaScript 'Set MSH-5 to LABKA'"
        assert f"    #   {item}" in text
        assert (
            f"not modelled: {V4}: channel 'Lab Orders', destination 'Labka': {item}"
            in topology.messages
        )

    @pytest.mark.parametrize(
        "item",
        [
            "sends to labka.example.org:5001 (TCP Sender)",
            "queueBufferSize 1000",
            "filter: 1 rule: RuleBuilder 'Micro only'",
            "source transformer: 1 step: JavaScript 'Normalise PID-3'",
            "preprocessing script (code)",
            "source TCP Listener listens on 0.0.0.0:6661",
            "validateResponse off: Mirth counts any response, a NAK included, as sent",
        ],
    )
    def test_each_setting_without_a_key_is_reported(self, item: str) -> None:
        """Host and port, the buffer, filters, scripts...: in the file and on stderr."""
        topology, text, _ = imported(V4)
        assert item in text
        assert any(item in message for message in topology.messages)

    def test_disabled_destinations_appear_only_in_a_comment(self) -> None:
        """'Archive' is disabled, 'Old RIS' a disabled channel: comments, no systems."""
        topology, text, systems = imported(V4, V3)
        assert (
            "  # not a system: destination 'Archive': disabled in Mirth (File Writer to file:///srv/archive)"
            in text
        )
        assert "# not a system: destination 'RIS': its channel is disabled in Mirth" in text
        assert "archive" not in systems and "ris" not in systems
        assert sum(m.startswith("not a system:") for m in topology.messages) == 3


class TestOutput:
    """The text written."""

    def test_a_channel_read_twice_gives_its_systems_once(self) -> None:
        """The same export given twice: one header line, one set of systems, a note."""
        topology, text, systems = imported(V4, V4)
        assert list(systems) == ["labka", "microbiology", "pathology", "lab-orders"]
        assert text.count(f"#   {V4.name}: 1 channel (Mirth 4.1.1)") == 1
        assert (
            "#   the same channel (id 0a4c1d9e-1111-4c1e-9d3a-000000000001) as in "
            f"{V4.name}: read once" in text
        )
        assert any(m.startswith("note:") and "read once" in m for m in topology.messages)

    def test_deterministic(self) -> None:
        """The same exports give the same text, whatever the folder they are read from."""
        first = imported(V4, V3, NORDBY)[1]
        assert imported(V4, V3, NORDBY)[1] == first
        assert f"#   {V4.name}: 1 channel (Mirth 4.1.1)" in first
        assert str(DATA) not in first
