"""Which application is the EHR, and the ids applications and flows get."""

from __future__ import annotations

import pytest

from sim.calibration.naming import (
    CalibrationError,
    FlowKey,
    name_applications,
    parse_map,
    slug,
)

KEYS = [
    FlowKey("EPIC", "LAB KA", "OML^O21"),
    FlowKey("LAB KA", "EPIC", "ORU^R01"),
    FlowKey("EPIC", "RIS", "ORM^O01^ORM_O01"),
]


class TestEhr:
    def test_the_ehr_is_the_application_in_every_flow(self) -> None:
        naming = name_applications(KEYS)
        assert naming.ehr == "EPIC"
        assert naming.ids == {"EPIC": "ehr", "LAB KA": "lab-ka", "RIS": "ris"}

    def test_several_candidates_are_listed(self) -> None:
        with pytest.raises(CalibrationError) as caught:
            name_applications(KEYS[:2])
        assert str(caught.value) == (
            "2 applications take part in every flow (EPIC, LAB KA); name the EHR with --ehr APP"
        )
        assert name_applications(KEYS[:2], ehr="LAB KA").ids["LAB KA"] == "ehr"

    def test_no_candidate_lists_the_applications(self) -> None:
        keys = [*KEYS, FlowKey("LAB KA", "RIS", "ORU^R01"), FlowKey("RIS", "LAB KA", "X")]
        keys.append(FlowKey("PAS", "RIS", "ADT^A01"))
        with pytest.raises(CalibrationError, match=r"no application takes part in every flow.*"
                           r"--ehr APP \(the applications: EPIC, LAB KA, PAS, RIS\)"):  # fmt: skip
            name_applications(keys)

    def test_an_unknown_ehr_is_refused_and_case_is_forgiven(self) -> None:
        with pytest.raises(CalibrationError, match="--ehr EHR: no application of that name"):
            name_applications(KEYS, ehr="EHR")
        assert name_applications(KEYS, ehr="epic").ehr == "EPIC"


class TestIds:
    def test_map_renames_an_application(self) -> None:
        naming = name_applications(KEYS, mapped=parse_map(["LAB KA=labka"]))
        assert naming.ids["LAB KA"] == "labka" and naming.mapped == {"LAB KA": "labka"}

    @pytest.mark.parametrize(
        ("items", "message"),
        [
            (["LABKA"], "--map LABKA: write APP=ID"),
            (["LAB KA=lab.ka"], "'lab.ka' is not a valid id"),
            (["LAB KA=a", "LAB KA=b"], "--map names LAB KA twice (a, b)"),
        ],
    )
    def test_a_bad_map_says_what_is_wrong(self, items: list[str], message: str) -> None:
        with pytest.raises(CalibrationError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_map(items)

    def test_map_of_an_unknown_application_or_of_the_ehr_to_another_id(self) -> None:
        with pytest.raises(
            CalibrationError,
            match="--map LIS=lis: no application 'LIS' in the log; its applications are "
            "EPIC, LAB KA, RIS",
        ):
            name_applications(KEYS, mapped={"LIS": "lis"})
        with pytest.raises(CalibrationError, match="EPIC is the EHR, whose id is always 'ehr'"):
            name_applications(KEYS, mapped={"EPIC": "epic"})

    def test_two_applications_on_one_id_are_refused(self) -> None:
        with pytest.raises(
            CalibrationError, match="'LAB KA' and 'RIS' would both get the id 'lab-ka'"
        ):
            name_applications(KEYS, mapped={"RIS": "lab-ka"})
        assert slug("  Lab__KA (2) ") == "lab-ka-2"

    def test_flow_ids_take_type_and_event_and_stay_unique(self) -> None:
        naming = name_applications(KEYS)
        taken: set[str] = set()
        assert naming.flow_id(KEYS[2], taken) == "ehr-ris-orm-o01"
        assert naming.flow_id(FlowKey("EPIC", "RIS", "ORM^O01"), taken) == "ehr-ris-orm-o01-2"


@pytest.mark.parametrize(
    ("name", "expected"), [("Røntgen", "roentgen"), ("Blodbank Ærø", "blodbank-aeroe")]
)
def test_an_application_gets_the_id_the_importer_gives_its_destination(
    name: str, expected: str
) -> None:
    """Danish names fold as the Mirth import folds them (tests/importers' slugify cases), so
    `calibrate --extends` joins the systems an import made."""
    assert slug(name) == expected
