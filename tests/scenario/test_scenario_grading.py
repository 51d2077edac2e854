"""A step's level comes from the requirements it checks, in the catalogue; a step may lower it, never raise it."""

from pathlib import Path

import pytest

from conformance.resources import case_files
from conformance.scenario import model
from conformance.scenario.loader import ScenarioError, load_case, load_cases
from conformance.scenario.requirements import grade, load_catalogue

# Levels in the shipped catalogue: R-6.2.2-a MUST, R-6.2.2-b SHOULD, R-6.2.2-j should (lowercase),
# R-6.6.2-a MAY, R-6.5.5.3-a statement, R-seed.10-a definite, A15 a decision.


def case(tmp_path: Path, requirements: str, steps: str) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(
        f'id: xep0327.test.case\ntitle: a case\nsection: "6.2.2"\nrequirements: [{requirements}]\n'
        f"dialects: [xep0327]\nsteps:\n{steps}",
        encoding="utf-8",
    )
    return path


OFFER = "  - caller dials the server\n  - expect offer\n"


def levels(tmp_path: Path, requirements: str, steps: str = OFFER) -> list[str]:
    return [step.level for step in load_case(case(tmp_path, requirements, steps)).steps]


def problems(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(ScenarioError) as caught:
        load_case(path)
    return [(p.line, p.message) for p in caught.value.problems]


@pytest.mark.parametrize("requirement, level", [
    ("R-6.2.2-a", "must"), ("R-6.2.2-b", "should"), ("R-6.2.2-j", "should"), ("R-6.6.2-a", "note"),
    ("R-6.5.5.3-a", "note"), ("R-seed.10-a", "must"), ("A15", "should"),
])
def test_a_step_takes_the_level_of_the_cases_requirement(tmp_path, requirement, level):
    assert levels(tmp_path, requirement) == [level, level]


def test_the_strongest_requirement_grades_the_step(tmp_path):
    assert levels(tmp_path, "R-6.5.5.3-a, R-6.2.2-b, R-6.2.2-a") == ["must", "must"]
    assert levels(tmp_path, "R-6.6.2-a, R-6.2.2-b") == ["should", "should"]


def test_a_decision_makes_a_step_warn_at_most(tmp_path):
    assert levels(tmp_path, "R-6.2.2-a, A15") == ["should", "should"]
    assert levels(tmp_path, "R-6.6.2-a, A15") == ["should", "should"]


def test_a_steps_own_requirements_replace_the_cases(tmp_path):
    steps = "  - caller dials the server\n  - expect offer:\n    requirements: [R-6.2.2-b]\n"
    dial, offer = load_case(case(tmp_path, "R-6.2.2-a", steps)).steps
    assert (dial.level, dial.requirements) == ("must", ("R-6.2.2-a",))
    assert (offer.level, offer.requirements) == ("should", ("R-6.2.2-b",))


def test_group_members_check_the_groups_requirements_unless_they_name_their_own(tmp_path):
    steps = OFFER + (
        "  - expect in any order:\n"
        "      - caller receives: BYE\n"
        "      - expect from {call}: {type: unavailable}\n"
        "        requirements: [R-6.2.2-j]\n"
        "    requirements: [R-6.2.2-a, R-6.2.2-e]\n"
    )
    group = load_case(case(tmp_path, "R-6.6.2-a", steps)).steps[2]
    assert isinstance(group, model.InAnyOrder)
    bye, end = group.members
    assert (group.level, bye.level, bye.requirements) == ("must", "must", ("R-6.2.2-a", "R-6.2.2-e"))
    assert (end.level, end.requirements) == ("should", ("R-6.2.2-j",))


def test_a_level_may_lower_the_derived_one(tmp_path):
    steps = "  - caller dials the server:\n    level: should\n  - expect offer:\n    level: note\n"
    assert levels(tmp_path, "R-6.2.2-a", steps) == ["should", "note"]


def test_a_level_above_the_requirements_is_refused_at_its_line(tmp_path):
    steps = "  - caller dials the server\n  - expect offer:\n    level: must\n"
    [(line, message)] = problems(case(tmp_path, "R-6.2.2-b, R-6.6.2-a", steps))
    assert line == 8
    assert message == ("step 2: level must is stronger than its requirements allow "
                       "(R-6.2.2-b SHOULD, R-6.6.2-a MAY: should); a level may only lower it")


def test_a_decision_cannot_be_raised_to_must(tmp_path):
    steps = "  - caller dials the server:\n    requirements: [R-6.2.2-a, A15]\n    level: must\n  - expect offer\n"
    [(line, message)] = problems(case(tmp_path, "R-6.2.2-a", steps))
    assert line == 7 and "(R-6.2.2-a MUST, A15 decision: should)" in message


def test_an_unknown_id_is_reported_at_the_line_naming_it(tmp_path):
    steps = "  - caller dials the server\n  - expect offer:\n    requirements: [R-6.2.2-z]\n"
    assert problems(case(tmp_path, "R-6.2.2-a", steps)) == [
        (9, "xep0327.test.case names R-6.2.2-z, which the requirement catalogue does not know")]


def test_every_shipped_step_is_graded_by_the_requirements_it_checks():
    """Over both dialects: every step names the catalogue's ids it checks, and its level is the
    one they give, or a lower one the case chose."""
    catalogue = load_catalogue()
    order = ("note", "should", "must")
    wrong = []
    for loaded in load_cases(case_files()):
        for step in (*loaded.steps, *model.flatten(loaded.steps)):
            derived = grade([catalogue.by_id[rid] for rid in step.requirements])
            if not step.requirements or order.index(step.level) > order.index(derived):
                wrong.append(f"{loaded.source} step {step.index} {step.phrase!r}: {step.level} from {step.requirements}")
    assert not wrong, "\n".join(wrong)


# --- schema findings name the §7 requirement their element breaks ---------------------------------

def schema_requirements(xml: str) -> list[tuple[str, ...]]:
    from lxml import etree

    from conformance.protocol.element_requirements import defining_requirements
    from conformance.protocol.validation import validator

    findings = validator("xep0327").stanza(etree.fromstring(xml))
    assert findings, "the stanza should break the schema"
    return [defining_requirements("xep0327", finding) for finding in findings]


def test_a_schema_finding_names_the_requirement_of_its_element():
    two_reasons = "<presence><end xmlns='urn:xmpp:rayo:1'><hungup/><busy/></end></presence>"
    assert schema_requirements(two_reasons) == [("R-7.5-a",)]
    reason_with_text = "<presence><end xmlns='urn:xmpp:rayo:1'><hungup>why</hungup></end></presence>"
    assert schema_requirements(reason_with_text) == [("R-7.5.1-a",)]
    ref_without_uri = "<iq type='result'><ref xmlns='urn:xmpp:rayo:1'/></iq>"
    assert schema_requirements(ref_without_uri) == [("R-7.18-a",)]


def test_the_catalogue_knows_every_requirement_a_schema_finding_names():
    from conformance.protocol.element_requirements import every_requirement

    assert every_requirement() <= set(load_catalogue().by_id)
