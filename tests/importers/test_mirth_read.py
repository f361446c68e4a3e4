"""Reading Mirth Connect channel exports of the 3.x and 4.x schemas; refusing the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.importers.mirth import MirthExportError, Step, read_export, read_exports

DATA = Path(__file__).parents[1] / "data" / "mirth"
V4 = DATA / "v4-lab-orders.xml"
V3 = DATA / "v3-list.xml"


class TestFourX:
    """A 4.x export of one <channel> with several destinations."""

    def test_the_channel_and_its_destinations_in_order(self) -> None:
        """One channel, its six destination connectors in export order, enabled or not."""
        (channel,) = read_export(V4)
        assert (channel.name, channel.version, channel.enabled) == ("Lab Orders", "4.1.1", True)
        assert [(d.name, d.enabled) for d in channel.destinations] == [
            ("Labka", True),
            ("Microbiology", True),
            ("Pathology", True),
            ("Archive", False),
            ("Destination 5", True),
            ("Copy to router", True),
        ]

    def test_queue_settings_of_destination_connector_properties(self) -> None:
        """threadCount, threadAssignmentVariable, retries and the buffer come from
        destinationConnectorProperties; the TCP sender's responseTimeout from its properties."""
        labka, micro, pathology, _, audit, router = read_export(V4)[0].destinations
        assert (labka.queue_enabled, labka.thread_count, labka.thread_assignment_variable) == (
            True,
            1,
            "",
        )
        assert (micro.thread_count, micro.thread_assignment_variable) == (4, "mrn")
        assert (micro.retry_interval_ms, micro.retry_count, micro.rotate) == (20000, 0, False)
        assert (labka.timeout_key, labka.timeout_ms) == ("responseTimeout", "30000")
        assert (audit.timeout_key, audit.timeout_ms) == ("socketTimeout", "120000")
        assert labka.queue_buffer_size == 1000
        assert (pathology.validate_response, pathology.queue_on_response_timeout) == (False, False)
        assert labka.target == "labka.example.org:5001"
        assert router.is_channel_writer and not labka.is_channel_writer

    def test_steps_of_the_35_schema(self) -> None:
        """<elements> of plugin classes: a JavaScript step, a rule builder rule."""
        channel = read_export(V4)[0]
        assert channel.destinations[0].transformer == (Step("JavaScript", "Set MSH-5 to LABKA"),)
        assert channel.destinations[1].filter == (Step("RuleBuilder", "Micro only"),)
        assert channel.source_transformer == (Step("JavaScript", "Normalise PID-3"),)
        assert channel.scripts == ("preprocessing script",)

    def test_a_channel_disabled_in_its_export_metadata(self, tmp_path: Path) -> None:
        """From 3.5 on a channel's enabled flag is exportData/metadata/enabled."""
        text = V4.read_text(encoding="utf-8")
        assert text.count("<enabled>true</enabled>\n      <lastModified>") == 1
        disabled = tmp_path / "disabled.xml"
        disabled.write_text(
            text.replace(
                "<enabled>true</enabled>\n      <lastModified>",
                "<enabled>false</enabled>\n      <lastModified>",
            ),
            encoding="utf-8",
        )
        assert read_export(V4)[0].enabled
        assert not read_export(disabled)[0].enabled

    def test_a_server_configuration_backup_holds_channels(self, tmp_path: Path) -> None:
        """A backup's <channels> is read like a <list>."""
        body = V4.read_text(encoding="utf-8").split("\n", 1)[1]
        backup = tmp_path / "backup.xml"
        backup.write_text(
            f'<serverConfiguration version="4.1.1">\n<channelGroups/>\n<channels>\n{body}'
            "</channels>\n<alerts/>\n</serverConfiguration>\n",
            encoding="utf-8",
        )
        assert [c.name for c in read_export(backup)] == ["Lab Orders"]

    def test_a_disabled_step_is_read_as_disabled(self) -> None:
        """The example's MedCom channel keeps an old step switched off."""
        export = (
            Path(__file__).parents[2] / "scenarios" / "examples" / "nordby" / "mirth-export.xml"
        )
        medcom = read_export(export)[-1].destinations[0]
        assert [step.describe() for step in medcom.transformer] == [
            "JavaScript 'Build MedCom EDIFACT letter'",
            "JavaScript 'Old XML letter (kept for reference)' (disabled)",
        ]


class TestThreeX:
    """A 3.2 <list> of channels: <enabled> on the channel, <steps>/<rules>, no thread variable."""

    def test_a_list_gives_every_channel(self) -> None:
        """Four channels, in order, the third disabled by the channel's own <enabled>."""
        channels = read_export(V3)
        assert [(c.name, c.enabled, c.version) for c in channels] == [
            ("ADT Feed", True, "3.2.1"),
            ("Discharge letters", True, "3.2.1"),
            ("Old RIS", False, "3.2.1"),
            ("Kitchen orders", True, "3.2.1"),
        ]

    def test_missing_elements_take_mirths_defaults(self) -> None:
        """Early 3.x has no threadAssignmentVariable or queueBufferSize: none, and unknown."""
        destination = read_export(V3)[0].destinations[0]
        assert destination.thread_assignment_variable == ""
        assert destination.queue_buffer_size is None
        assert (destination.send_first, destination.retry_count, destination.rotate) == (
            True,
            3,
            True,
        )

    def test_steps_and_rules_of_the_old_schema(self) -> None:
        """<steps><step> and <rules><rule> carry their kind in <type>."""
        adt = read_export(V3)[0]
        assert adt.destinations[0].transformer == (Step("JavaScript", "Strip Z segments"),)
        assert adt.destinations[1].filter == (Step("JavaScript", "Inpatients only"),)

    def test_processing_threads_and_files_in_order(self) -> None:
        """Files are read in the order given; the source's processingThreads is kept."""
        channels = read_exports([V4, V3])
        assert [c.file for c in channels] == [str(V4)] + [str(V3)] * 4
        assert channels[2].processing_threads == 3


class TestRefused:
    """What is not a Mirth 3.x/4.x channel export is refused with the file and the reason."""

    @pytest.mark.parametrize(
        ("name", "said"),
        [
            ("missing.xml", "no such file"),
            ("not-xml.xml", "not XML: syntax error at line 1, column 1"),
            ("not-mirth.xml", "not a Mirth channel export: its root element is <project>"),
            ("code-templates.xml", "its <list> holds <codeTemplateLibrary>, not <channel>"),
            ("bomb.xml", "refused: it declares XML entities"),
            ("v2-channel.xml", "is a Mirth 2.2.1.5861 export; only 3.x and 4.x"),
        ],
    )
    def test_refused_with_the_file_and_why(self, name: str, said: str) -> None:
        """The message starts with the file and says what is wrong with it."""
        path = DATA / name
        with pytest.raises(MirthExportError) as caught:
            read_export(path)
        assert str(caught.value).startswith(f"{path}: ")
        assert said in str(caught.value)

    def test_a_bad_number_names_channel_destination_and_element(self, tmp_path: Path) -> None:
        """A threadCount that is not a whole number is refused where it is."""
        bad = tmp_path / "bad.xml"
        bad.write_text(
            V4.read_text().replace(
                "<threadCount>4</threadCount>", "<threadCount>four</threadCount>", 1
            )
        )
        with pytest.raises(
            MirthExportError,
            match=(
                r"channel 'Lab Orders', destination 'Microbiology': "
                r"<destinationConnectorProperties/threadCount> is 'four', not a whole number"
            ),
        ):
            read_export(bad)

    def test_an_empty_file_and_an_empty_list(self, tmp_path: Path) -> None:
        """Nothing to read is said as such."""
        empty = tmp_path / "empty.xml"
        empty.write_text("\n")
        with pytest.raises(MirthExportError, match="is empty, not XML"):
            read_export(empty)
        empty.write_text("<list/>")
        with pytest.raises(MirthExportError, match="holds no channels"):
            read_export(empty)
