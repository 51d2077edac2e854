"""Which failed cases a baseline's known findings excuse (the rule; the run through pytest is in test_session_target)."""

from conformance.baseline import KnownFinding, excuse
from conformance.results import CaseResult, Finding

CAPS = KnownFinding("R-6.2.2-g", "ticket 9", "caps")
SCHEMA = KnownFinding("schema", "mod_rayo extension", "start-of-input")


def failed(*findings: Finding, requirements=("R-6.2.2-g",)) -> CaseResult:
    return CaseResult("xep0327.inbound.x", "x", "xep0327", requirements=list(requirements), findings=list(findings))


def test_a_case_is_excused_only_when_every_failing_finding_is_known():
    caps = Finding("expectation", "expect offer: child <c xmlns='http://jabber.org/protocol/caps'> missing", requirements=("R-6.2.2-g",))
    end = Finding("expectation", "expect from {call}: child <hangup-command> missing", requirements=("R-6.6.3-a",))
    assert excuse(failed(caps), [CAPS], strict=False) == "known findings: R-6.2.2-g: ticket 9"
    assert excuse(failed(caps, end), [CAPS], strict=False) is None
    assert excuse(failed(), [CAPS], strict=False) is None  # nothing to excuse


def test_the_pattern_and_the_requirement_must_both_fit():
    other = Finding("expectation", "expect offer: attribute 'to' is '1000@h'", requirements=("R-6.2.2-g",))
    elsewhere = Finding("expectation", "caps missing", requirements=("R-6.2.2-f",))
    assert excuse(failed(other), [CAPS], strict=False) is None
    assert excuse(failed(elsewhere), [CAPS], strict=False) is None


def test_a_finding_naming_no_requirement_checks_the_cases_and_schema_findings_have_their_own_key():
    unnamed = Finding("expectation", "expect offer: caps missing")
    assert excuse(failed(unnamed), [CAPS], strict=False) is not None
    assert excuse(failed(unnamed, requirements=("R-6.2.2-f",)), [CAPS], strict=False) is None
    schema = Finding("schema", "the server sent a payload that breaks the xep0327 schema: /start-of-input: unknown element")
    assert excuse(failed(schema), [CAPS], strict=False) is None  # a schema finding is not the case's requirement's
    assert excuse(failed(schema), [SCHEMA], strict=False) == "known findings: schema: mod_rayo extension"
    offer = Finding("schema", "URI: <offer> attribute to='1000@h:5060'. The value must be a URI.", requirements=("R-7.2-a",))
    assert excuse(failed(offer), [KnownFinding("R-7.2-a", "ticket 1241", "<offer> attribute (to|from)=")], strict=False)
    assert excuse(failed(offer), [KnownFinding("schema", "x")], strict=False)  # "schema" covers every schema violation


def test_under_strict_a_warning_fails_and_must_be_known_too():
    caps = Finding("expectation", "caps missing", requirements=("R-6.2.2-g",))
    delay = Finding("expectation", "R-5.3-b: an event carries no XEP-0203 delay stamp", level="should", requirements=("R-5.3-b",))
    assert excuse(failed(caps, delay), [CAPS], strict=False) is not None
    assert excuse(failed(caps, delay), [CAPS], strict=True) is None
