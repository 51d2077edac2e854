"""Loads scenario files: YAML with line numbers, checked against the shipped JSON Schema.

A bad file is rejected before anything runs, with file:line, what is wrong,
and the offending line quoted.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..protocol.stanza import MalformedXML
from . import model
from .documents import UnknownDocument, documents_in_any_form, content as document_content, documents_named
from .template import parse_template, variables_in

SCHEMA_FILE = Path(__file__).with_name("scenario.schema.json")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str


class ScenarioError(Exception):
    """One or more problems in scenario files, each with file:line."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(f"{p.file}:{p.line}: {p.message}" for p in problems))
        self.problems = problems

    def render(self) -> str:
        """Each problem with the offending line quoted, as Tavern does."""
        out = []
        for p in self.problems:
            out.append(f"{p.file}:{p.line}: {p.message}")
            quoted = _source_line(p.file, p.line)
            if quoted is not None:
                out.append(f"    {p.line:>4} | {quoted}")
        return "\n".join(out)


def _source_line(file: str, line: int) -> str | None:
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return lines[line - 1] if 0 < line <= len(lines) else None


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(ref: str) -> jsonschema.Draft202012Validator:
    full = schema()
    target = full if ref == "" else {"$ref": ref, "$defs": full["$defs"]}
    return jsonschema.Draft202012Validator(target)


# --- YAML with line numbers ----------------------------------------------------

Lines = dict[tuple, int]  # path of keys/indexes -> 1-based line of that value


def _compose(text: str, file: str):
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        raise ScenarioError([Problem(file, line, f"YAML syntax: {err.problem or err}")]) from None


def _to_data(node, path: tuple, lines: Lines, file: str, constructor) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        data: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node)
            if key in data:
                raise ScenarioError([Problem(file, key_node.start_mark.line + 1, f"duplicate key {key!r}")])
            data[key] = _to_data(value_node, path + (key,), lines, file, constructor)
            lines[path + (key, "__key__")] = key_node.start_mark.line + 1
        return data
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(item, path + (i,), lines, file, constructor) for i, item in enumerate(node.value)]
    if node.style in ("|", ">"):
        lines[path + ("__text__",)] = node.start_mark.line + 2  # block text starts on the next line
    else:
        lines[path + ("__text__",)] = node.start_mark.line + 1
    return constructor.construct_object(node, deep=True)


def read_yaml(text: str, file: str) -> tuple[Any, Lines]:
    node = _compose(text, file)
    if node is None:
        raise ScenarioError([Problem(file, 1, "the file is empty")])
    lines: Lines = {}
    return _to_data(node, (), lines, file, yaml.SafeLoader("")), lines


def _line(lines: Lines, path: tuple) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


# --- Step kinds, from the schema -------------------------------------------------


@dataclass(frozen=True)
class StepKind:
    name: str
    pattern: re.Pattern[str]
    groups: tuple[str, ...]


@lru_cache(maxsize=1)
def step_kinds() -> tuple[StepKind, ...]:
    kinds = []
    for ref in schema()["$defs"]["step"]["oneOf"]:
        if "$ref" not in ref:
            continue
        name = ref["$ref"].rsplit("/", 1)[1]
        definition = schema()["$defs"][name]
        (pattern,) = definition["patternProperties"]
        kinds.append(StepKind(name, re.compile(pattern), tuple(definition["x-groups"])))
    return tuple(kinds)


def _phrases() -> list[str]:
    """Readable forms of the known phrases, for "did you mean" hints."""
    examples = {
        "caller-dials": ["caller dials the server"],
        "sip-action": [f"callee {a}" for a in ("answers", "rings", "sends early media", "hangs up")]
        + ["caller hangs up", "caller cancels", "caller holds", "caller unholds"],
        "sip-action-with-value": ["callee rejects", "caller sends dtmf"],
        "sip-receives": ["caller receives", "callee receives"],
        "send-iq": ["send to {call}", "send to the server"],
        "send-presence": ["send presence to the server"],
        "send-message": ["send message to {call}"],
        "expect-offer": ["expect offer"],
        "expect-from": ["expect from {call}"],
        "expect-in-any-order": ["expect in any order"],
        "expect-one-of": ["expect one of"],
        "expect-nothing-more": ["expect nothing more from {call}"],
        "media-hears": ["caller hears", "callee hears"],
        "media-hears-nothing": ["caller hears nothing", "callee hears nothing"],
        "media-hearing": ["caller is hearing", "callee is hearing"],
        "media-plays": ["caller plays", "callee plays", "caller starts playing"],
        "media-dtmf": ["caller sends dtmf in rtp", "caller sends dtmf by pcap"],
        "recording-holds": ["recording {recording} holds"],
        "nlsml-holds": ["nlsml {nlsml} holds"],
    }
    return [p for kind in step_kinds() for p in examples.get(kind.name, [])]


def classify(phrase: str) -> tuple[StepKind, dict[str, str | None]] | None:
    for kind in step_kinds():
        found = kind.pattern.match(phrase)
        if found:
            return kind, dict(zip(kind.groups, found.groups()))
    return None


# --- Loading -------------------------------------------------------------------


class _Loader:
    """Builds one case from its YAML data, collecting every problem with its line."""

    def __init__(self, file: str, lines: Lines):
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []
        self.index = 0
        self.named_at: dict[str, int] = {}  # requirement id -> the first line naming it

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, _line(self.lines, path), message))

    def check_schema(self, data: Any, ref: str, path: tuple) -> bool:
        errors = sorted(_validator(ref).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
        for error in errors:
            where = path + tuple(error.absolute_path)
            self.problem(where, _explain(error, where))
        return not errors

    # top level

    def case(self, data: Any) -> model.Case | None:
        if not isinstance(data, dict):
            self.problem((), "a scenario is a mapping with id, title, section, requirements, dialects and steps")
            return None
        steps = data.get("steps")
        header = {k: v for k, v in data.items() if k != "steps"}
        header["steps"] = ["checked one by one below"]
        header_ok = self.check_schema(header, "", ())
        if not isinstance(steps, list) or not steps:
            if "steps" in data:
                self.problem(("steps",), "steps must be a non-empty list")
            return None
        built = [self.step(raw, ("steps", i)) for i, raw in enumerate(steps)]
        if self.problems or not header_ok:
            return None
        clients = {"client": model.ClientSpec()}
        clients.update({name: model.ClientSpec(**spec) for name, spec in data.get("clients", {}).items()})
        for name, spec in clients.items():
            if spec.account != "main" and f"account:{spec.account}" not in data.get("needs", ()):
                self.problem(("clients", name), f"{name} logs in with account {spec.account!r}: add account:{spec.account} to needs")
        case = model.Case(
            id=data["id"],
            title=data["title"],
            section=data["section"],
            requirements=tuple(data["requirements"]),
            dialects=tuple(data["dialects"]),
            steps=tuple(built),
            file=self.file,
            line=1,
            description=data.get("description", ""),
            needs=tuple(data.get("needs", ())),
            clients=clients,
        )
        _check_variables(self, case)
        _check_documents(self, case)
        case = _graded(self, case)
        return None if self.problems else case

    # steps

    def step(self, raw: Any, path: tuple, group: int | None = None) -> model.Step | None:
        if isinstance(raw, str):
            raw = {raw: None}
        if not isinstance(raw, dict) or not raw:
            self.problem(path, "a step is a phrase, or a mapping whose first key is the phrase")
            return None
        phrase = next(iter(raw))
        if not isinstance(phrase, str):
            self.problem(path, f"a step's first key must be its phrase, not {phrase!r}")
            return None
        found = classify(phrase)
        if found is None:
            hint = difflib.get_close_matches(phrase, _phrases(), n=1, cutoff=0.5)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            self.problem(path + (phrase, "__key__"), f"unknown step {phrase!r}{suggestion}")
            return None
        kind, groups = found
        if not self.check_schema(raw, f"#/$defs/{kind.name}", path):
            return None
        if group is None:
            self.index += 1
        for rid in raw.get("requirements", ()):
            self.named_at.setdefault(rid, _line(self.lines, path + ("requirements",)))
        common = dict(
            index=group or self.index,
            line=_line(self.lines, path),
            phrase=phrase,
            level=raw.get("level"),  # None: the requirements give it (_graded)
            timeout=raw.get("timeout"),
            requirements=tuple(raw.get("requirements", ())),
        )
        return getattr(self, "build_" + kind.name.replace("-", "_"))(raw, raw[phrase], groups, common, path + (phrase,))

    def template(self, text: str, path: tuple) -> model.Template | None:
        start = self.lines.get(path + ("__text__",), _line(self.lines, path))
        try:
            elements = parse_template(text)
        except MalformedXML as err:
            self.problems.append(Problem(self.file, start + (err.line or 1) - 1, f"XML is not well-formed: {err}"))
            return None
        if not elements:
            self.problem(path, "no XML element in the template")
            return None
        return model.Template(text, start, tuple(elements))

    def build_caller_dials(self, raw, value, groups, common, path):
        value = value or {}
        return model.CallerDials(
            **common, party=groups["party"], to=value.get("to"), headers=_headers(value.get("headers"))
        )

    def build_sip_action(self, raw, value, groups, common, path):
        party, action = groups["party"], groups["action"]
        only = {"answers": "callee", "rings": "callee", "sends early media": "callee", "cancels": "caller"}
        if action in only and not party.startswith(only[action]):
            self.problem(path + ("__key__",), f"{party} cannot do that: only a {only[action]} {action}")
        headers = _headers((value or {}).get("headers"))
        if headers and only.get(action) != "callee":
            self.problem(path, f"{action} takes no headers: only a callee's answer, ring or early media does")
        return model.SipAction(**common, party=party, action=action, headers=headers)

    def build_sip_action_with_value(self, raw, value, groups, common, path):
        action = groups["action"]
        if action == "rejects" and not groups["party"].startswith("callee"):
            self.problem(path + ("__key__",), f"{groups['party']} cannot do that: only a callee rejects")
        if action == "rejects" and not isinstance(value, int):
            self.problem(path, "rejects takes a final response code, e.g. 486")
        if action == "sends dtmf" and not isinstance(value, str):
            self.problem(path, "sends dtmf takes digits in quotes, e.g. \"5\"")
        return model.SipAction(**common, party=groups["party"], action=action, value=value)

    def build_sip_receives(self, raw, value, groups, common, path):
        details = value if isinstance(value, dict) else {"message": value}
        specs = details["message"] if isinstance(details["message"], list) else [details["message"]]
        return model.SipReceives(
            **common,
            party=groups["party"],
            messages=tuple(model.MessageSpec(str(s)) for s in specs),
            headers=_headers(details.get("headers")),
            request_uri=details.get("request-uri"),
            from_uri=details.get("from"),
            body=details.get("body"),
        )

    def build_send_iq(self, raw, value, groups, common, path):
        return model.SendIq(
            **common,
            client=raw.get("client", "client"),
            target=groups["target"],
            payload=self.template(value, path),
            expect=self.iq_expectations(raw["expect"], path[:-1] + ("expect",)),
            invalid=raw.get("invalid", False),
            type=raw.get("type", "set"),
        )

    def iq_expectations(self, raw, path) -> tuple[model.IqExpectation, ...]:
        if isinstance(raw, dict) and "one of" in raw:
            return tuple(self.iq_expectation(item, path + ("one of", i)) for i, item in enumerate(raw["one of"]))
        return (self.iq_expectation(raw, path),)

    def iq_expectation(self, raw, path) -> model.IqExpectation:
        if isinstance(raw, str):
            return model.IqExpectation(raw)
        if "result" in raw:
            return model.IqExpectation("result", payload=self.template(raw["result"], path + ("result",)))
        conditions = raw["error"] if isinstance(raw["error"], list) else [raw["error"]]
        return model.IqExpectation("error", conditions=tuple(conditions), error_type=raw.get("type"))

    def build_send_presence(self, raw, value, groups, common, path):
        return model.SendPresence(**common, client=raw.get("client", "client"), target=groups["target"], show=value)

    def build_send_message(self, raw, value, groups, common, path):
        return model.SendMessage(
            **common,
            client=raw.get("client", "client"),
            target=groups["target"],
            type=value.get("type"),
            body=value.get("body", ""),
            expect=(self.iq_expectation(raw["expect"], path[:-1] + ("expect",)),) if "expect" in raw else (),
        )

    def build_expect_offer(self, raw, value, groups, common, path):
        details = value if isinstance(value, dict) else {"xml": value} if value else {}
        template = self.template(details["xml"], path + ("xml",) if isinstance(value, dict) else path) if details.get("xml") else None
        return model.ExpectOffer(
            **common,
            client=details.get("client", "client"),
            party=groups["party"],
            template=template,
            capture=details.get("capture", "call"),
            strict=details.get("strict", False),
        )

    def build_expect_from(self, raw, value, groups, common, path):
        details = value if isinstance(value, dict) else {"xml": value}
        template = None
        if details.get("xml"):
            template = self.template(details["xml"], path + ("xml",) if isinstance(value, dict) else path)
        return model.ExpectFrom(
            **common,
            client=details.get("client", "client"),
            source=groups["source"],
            template=template,
            type=details.get("type"),
            capture=details.get("capture"),
            strict=details.get("strict", False),
            next=details.get("next", False),
        )

    def _expectations(self, items, path, index) -> tuple:
        built = []
        for i, item in enumerate(items):
            step = self.step(item, path + (i,), group=index)
            if step is not None and not isinstance(step, (model.SipReceives, model.ExpectOffer, model.ExpectFrom)):
                self.problem(path + (i,), f"only expectations can go here, not {step.phrase!r}")
            built.append(step)
        return tuple(built)

    def build_expect_in_any_order(self, raw, value, groups, common, path):
        return model.InAnyOrder(**common, members=self._expectations(value, path, common["index"]))

    def build_expect_one_of(self, raw, value, groups, common, path):
        alternatives = tuple(
            self._expectations(item if isinstance(item, list) else [item], path + (i,), common["index"])
            for i, item in enumerate(value)
        )
        return model.OneOf(**common, alternatives=alternatives)

    def build_expect_nothing_more(self, raw, value, groups, common, path):
        value = value or {}
        return model.NothingMore(
            **common, client=value.get("client", "client"), source=groups["source"], within=value.get("within")
        )

    def build_media_hears(self, raw, value, groups, common, path):
        return model.MediaHears(**common, party=groups["party"], sound=_sound(value))

    def build_media_hearing(self, raw, value, groups, common, path):
        return model.MediaHearing(**common, party=groups["party"], sound=_sound({**value, "for": [value["for"], value["for"]]}))

    def build_media_hears_nothing(self, raw, value, groups, common, path):
        return model.MediaQuiet(**common, party=groups["party"], window=value["for"], grace=value.get("grace", 0.05))

    def build_media_plays(self, raw, value, groups, common, path):
        party, wait = groups["party"], groups["how"] == "plays"
        if "silence" in value:
            return model.MediaPlays(**common, party=party, seconds=value["silence"], wait=wait)
        cadence = tuple(value["cadence"]) if "cadence" in value else None
        return model.MediaPlays(**common, party=party, tone=_tone(value["tone"]), seconds=value["for"], cadence=cadence,
                                wait=wait)

    def build_media_dtmf(self, raw, value, groups, common, path):
        details = value if isinstance(value, dict) else {"digits": value}
        return model.MediaDtmf(**common, party=groups["party"], via=groups["via"], digits=details["digits"],
                               duration=details.get("duration", 0.1), gap=details.get("gap", 0.06))

    def build_recording_holds(self, raw, value, groups, common, path):
        value = value or {}
        return model.RecordingHolds(
            **common,
            source=groups["source"],
            duration=_text_or_none(value.get("duration")),
            size=_text_or_none(value.get("size")),
            length=tuple(value["length"]) if "length" in value else None,
            sound=_sound(value["sound"]) if "sound" in value else None,
            silent=value.get("silent", False),
        )

    def build_nlsml_holds(self, raw, value, groups, common, path):
        return model.NlsmlHolds(**common, source=groups["source"], input=value["input"], mode=value.get("mode"))


def _tone(raw) -> tuple[float, ...]:
    return tuple(float(f) for f in str(raw).split("+"))


def _sound(raw: dict) -> model.SoundSpec:
    level = tuple(raw["level"]) if "level" in raw else None
    tone = _tone(raw["tone"]) if "tone" in raw else ()
    return model.SoundSpec(raw["for"][0], raw["for"][1], tone, level)


def _text_or_none(value) -> str | None:
    return None if value is None else str(value)


def _headers(raw) -> model.Headers:
    if not raw:
        return ()
    pairs = raw.items() if isinstance(raw, dict) else raw
    return tuple((str(name), str(value)) for name, value in pairs)


def _where(path: tuple) -> str:
    """('steps', 2, 'expect') -> 'step 3, expect'."""
    words = []
    for i, part in enumerate(path):
        if part == "__key__":
            continue
        if part == "steps" and i + 1 < len(path) and isinstance(path[i + 1], int):
            continue
        if isinstance(part, int) and i > 0 and path[i - 1] == "steps":
            words.append(f"step {part + 1}")
        elif isinstance(part, int):
            words.append(f"item {part + 1}")
        else:
            words.append(str(part))
    return ", ".join(words) or "the file"


def _explain(error: jsonschema.ValidationError, path: tuple) -> str:
    """A schema error in words a scenario author can act on."""
    where = _where(path)
    if error.validator == "required":
        return f"{where}: {error.message}"
    if error.validator == "additionalProperties":
        return f"{where}: {error.message}"
    if error.validator in ("oneOf", "anyOf") and error.context:
        best = jsonschema.exceptions.best_match(error.context)
        return f"{where}: {best.message}"
    return f"{where}: {error.message}"


# --- Variables: every {name} a step reads must exist by then ---------------------

_BUILTINS = ("service", "inbound", "run", "documents", "harness", "calls")


def _check_variables(loader: _Loader, case: model.Case) -> None:
    known = set(_BUILTINS) | set(case.clients) | {f"{c}.bare" for c in case.clients}
    known |= {f"document:{name}" for name in documents_in_any_form(case.text())}  # the runner makes them
    known |= {"provoke." + need.split(":", 1)[1] for need in case.needs if need.startswith("provoke:")}
    known |= {"inbound." + need.split(":", 1)[1] for need in case.needs if need.startswith("account:")}
    callers, callees = case.sip_parties()
    known |= {f"{p}.uri" for p in callers + callees}
    for step in case.steps:
        known = _step_variables(loader, step, known)


def _reads(step: model.Step) -> list[tuple[str, int]]:
    texts: list[tuple[str, int]] = []
    for name in ("target", "source"):
        value = getattr(step, name, None)
        if value:
            texts.append((value, step.line))
    for name in ("payload", "template"):
        template = getattr(step, name, None)
        if template is not None:
            texts.append((template.text, template.line))
    for expect in getattr(step, "expect", ()):
        if expect.payload is not None:
            texts.append((expect.payload.text, expect.payload.line))
    for name in ("to", "request_uri", "from_uri", "body", "duration", "size"):
        value = getattr(step, name, None)
        if isinstance(value, str) and value:
            texts.append((value, step.line))
    return texts


def _captures(step: model.Step) -> set[str]:
    from .template import captures_in

    found: set[str] = set()
    for text, _ in _reads(step):
        found |= captures_in(text)
    if isinstance(step, model.ExpectOffer) or (isinstance(step, model.ExpectFrom) and step.capture):
        found |= {step.capture, f"{step.capture}.bare"}  # a sender's JID, and its bare JID
    return found


def _step_variables(loader: _Loader, step: model.Step, known: set[str]) -> set[str]:
    if isinstance(step, model.InAnyOrder):
        for member in step.members:
            _step_variables(loader, member, known)
        return known | set().union(*(_captures(m) for m in step.members))
    if isinstance(step, model.OneOf):
        results = []
        for alternative in step.alternatives:
            scope = set(known)
            for member in alternative:
                scope = _step_variables(loader, member, scope)
            results.append(scope)
        return set.intersection(*results)  # only what every outcome defines
    captured = _captures(step)
    for text, line in _reads(step):
        for name in sorted(variables_in(text) - known - captured):
            loader.problems.append(
                Problem(loader.file, line, f"unknown variable {{{name}}}: no earlier step captures it (known: {', '.join(sorted(known))})")
            )
    return known | captured


def _check_documents(loader: _Loader, case: model.Case) -> None:
    """Every audio document a case names is one the harness can make (documents.py)."""
    for step in model.flatten(case.steps):
        payload = getattr(step, "payload", None)
        for name in sorted(documents_named(payload.text)) if payload is not None else ():
            try:
                document_content(name, "")
            except UnknownDocument as err:
                loader.problems.append(Problem(loader.file, payload.line, str(err)))


# --- Grading: a step's level comes from the requirements it checks --------------------


def _graded(loader: _Loader, case: model.Case) -> model.Case:
    """The case with each step's requirements (its own, or else its group's or the case's) and
    its level: derived from the catalogue, or the step's own where that is not stronger."""
    catalogue = _catalogue()
    unknown = [rid for rid in case.named_requirements() if rid not in catalogue.by_id]
    for rid in unknown:
        line = loader.named_at.get(rid, _line(loader.lines, ("requirements",)))
        loader.problems.append(Problem(loader.file, line, f"{case.id} names {rid}, which the requirement catalogue does not know"))
    if unknown:
        return case
    return replace(case, steps=tuple(_graded_step(loader, step, case.requirements, catalogue) for step in case.steps))


def _graded_step(loader: _Loader, step: model.Step, inherited: tuple[str, ...], catalogue) -> model.Step:
    from .requirements import grade, stronger  # see _catalogue

    ids = step.requirements or inherited
    derived = grade([catalogue.by_id[rid] for rid in ids])
    if step.level is not None and stronger(step.level, derived):
        levels = ", ".join(f"{rid} {catalogue.by_id[rid].level}" for rid in ids)
        loader.problems.append(Problem(loader.file, step.line, f"step {step.index}: level {step.level} is stronger than its "
                                       f"requirements allow ({levels}: {derived}); a level may only lower it"))
    changes: dict[str, Any] = {"requirements": ids, "level": step.level or derived}
    if isinstance(step, model.InAnyOrder):
        changes["members"] = tuple(_graded_step(loader, m, ids, catalogue) for m in step.members)
    if isinstance(step, model.OneOf):
        changes["alternatives"] = tuple(tuple(_graded_step(loader, m, ids, catalogue) for m in a) for a in step.alternatives)
    return replace(step, **changes)


@lru_cache(maxsize=1)
def _catalogue():
    # Imported here, not at the top: the catalogue module reads its files with this module's YAML reader.
    from .requirements import load_catalogue

    return load_catalogue()


def _display(path: Path) -> str:
    """The path as a reader wants it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_case(path: str | Path) -> model.Case:
    path = Path(path)
    file = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError([Problem(file, 1, f"cannot read: {err}")]) from None
    return load_case_text(text, file)


def load_case_text(text: str, file: str) -> model.Case:
    """A case from YAML text; `file` names where it came from in messages."""
    data, lines = read_yaml(text, file)
    loader = _Loader(file, lines)
    case = loader.case(data)
    if loader.problems or case is None:
        raise ScenarioError(loader.problems or [Problem(file, 1, "not a scenario")])
    return case


def load_cases(paths: list[Path]) -> list[model.Case]:
    """Every case, or one ScenarioError listing the problems of every bad file."""
    cases, problems = [], []
    for path in paths:
        try:
            cases.append(load_case(path))
        except ScenarioError as err:
            problems.extend(err.problems)
    seen: dict[str, model.Case] = {}
    for case in cases:
        if case.id in seen:
            problems.append(Problem(case.file, case.line, f"case id {case.id!r} is also used by {seen[case.id].file}"))
        seen[case.id] = case
    if problems:
        raise ScenarioError(problems)
    return cases
