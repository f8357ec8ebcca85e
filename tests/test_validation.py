"""Rules across model elements: each broken model, warnings and expected visits."""

from pathlib import Path

import pytest
from conftest import bundled_model_paths

from workbench import _routing_checks, structure
from workbench.errors import ModelError, ModelFileError, ModelValidationError
from workbench.loading import load_model, parse_model
from workbench.validation import find_problems, load_and_validate, validate

HERE = Path(__file__).resolve().parent
BROKEN = HERE / "broken_models"
LICENCE_DESK = HERE / "valid_models" / "licence_desk.yaml"

# Each file in broken_models: the error type, and the element, field and message
# part of one problem that the file must report.
BROKEN_CASES = {
    "unknown_next": (
        ModelValidationError,
        "step 'Check form'",
        "next",
        "no step is called 'Complet?'. The steps are 'Check form', 'Complete?'",
    ),
    "unknown_lane": (
        ModelValidationError,
        "step 'Check records'",
        "lane",
        "no lane is called 'Back ofice'. The lanes are 'Customer', 'Front desk', "
        "'Back office'. Did you mean 'Back office'?",
    ),
    "unknown_pool": (
        ModelValidationError,
        "step 'Check fees'",
        "pool",
        "no pool is called 'Clerk'. The pools are 'Clerks', 'Officers'. "
        "Did you mean 'Clerks'?",
    ),
    "unknown_branch_target": (
        ModelValidationError,
        "step 'Complete?'",
        "branches[1].to",
        "Did you mean 'Wait for customer'?",
    ),
    "unknown_rework_to": (
        ModelValidationError,
        "step 'Check form'",
        "rework_to",
        "no step is called 'Check from'",
    ),
    "unknown_parallel_branch": (
        ModelValidationError,
        "step 'Split work'",
        "parallel.branches[1]",
        "Did you mean 'Check fees'?",
    ),
    "unknown_parallel_join": (
        ModelValidationError,
        "step 'Split work'",
        "parallel.join",
        "Did you mean 'Approve'?",
    ),
    "unknown_arrival_start": (
        ModelValidationError,
        "arrival stream 'Walk-in'",
        "start",
        "no step is called 'Chek form'",
    ),
    "duplicate_step": (
        ModelValidationError,
        "step 'Approve'",
        "name",
        "2 steps have this name",
    ),
    "duplicate_lane": (
        ModelValidationError,
        "lane 'Front desk'",
        "name",
        "2 lanes have this name",
    ),
    "duplicate_pool": (
        ModelValidationError,
        "pool 'Clerks'",
        "name",
        "2 pools have this name",
    ),
    "duplicate_stream": (
        ModelValidationError,
        "arrival stream 'Walk-in'",
        "name",
        "2 arrival streams have this name",
    ),
    "probabilities_sum_to_0_7": (
        ModelValidationError,
        "step 'Complete?'",
        "branches",
        "sum to 0.7, not 1 (tolerance 1e-06)",
    ),
    "branches_on_task": (
        ModelValidationError,
        "step 'Approve'",
        "branches",
        "only a decision has branches",
    ),
    "decision_without_branches": (
        ModelValidationError,
        "step 'Complete?'",
        "branches",
        "a decision needs branches",
    ),
    "task_without_lane": (
        ModelValidationError,
        "step 'Approve'",
        "lane",
        "a task step needs a lane",
    ),
    "task_without_duration": (
        ModelValidationError,
        "step 'Issue licence'",
        "duration",
        "a task step needs a duration",
    ),
    "wait_without_duration": (
        ModelValidationError,
        "step 'Wait for customer'",
        "duration",
        "a wait step needs a duration",
    ),
    "decision_with_duration": (
        ModelValidationError,
        "step 'Complete?'",
        "duration",
        "a decision routes at no cost in time, so it takes no duration",
    ),
    "decision_with_pool": (
        ModelValidationError,
        "step 'Complete?'",
        "pool",
        "so it takes no pool",
    ),
    "decision_with_pca": (
        ModelValidationError,
        "step 'Complete?'",
        "pca",
        "pca must be 100, received 95",
    ),
    "unreachable_step": (
        ModelValidationError,
        "step 'Send survey'",
        "",
        "no case can reach this step",
    ),
    "no_path_to_end": (
        ModelValidationError,
        "step 'Issue licence'",
        "",
        "cases that reach steps 'Issue licence', 'File copy' never finish",
    ),
    "parallel_branch_ends": (
        ModelValidationError,
        "step 'Split work'",
        "parallel.branches[1]",
        "the branch from 'Check fees' can end the case at 'Check fees'",
    ),
    "parallel_branch_reworks_before_split": (
        ModelValidationError,
        "step 'Split work'",
        "parallel.branches[0]",
        "the branch from 'Check records' can lead back to the split step",
    ),
    "parallel_branch_skips_join": (
        ModelValidationError,
        "step 'Split work'",
        "parallel.branches[1]",
        "can end the case at 'Issue licence' before it reaches the join 'Approve'",
    ),
    "join_entered_from_outside": (
        ModelValidationError,
        "step 'Split work'",
        "parallel.join",
        "the join 'Approve' is also entered from 'Complete?'",
    ),
    "patience_inside_parallel_branch": (
        ModelValidationError,
        "step 'Split work'",
        "parallel.branches[0]",
        "the branch from 'Check records' has 'Check records' with patience",
    ),
    "patience_without_pool": (
        ModelValidationError,
        "step 'Wait for customer'",
        "patience",
        "only a task with a pool has a queue to abandon",
    ),
    "wait_with_pool": (
        ModelValidationError,
        "step 'Wait for customer'",
        "pool",
        "a wait step uses no staff",
    ),
    "pool_without_staff_in_any_shift": (
        ModelValidationError,
        "pool 'Officers'",
        "shifts",
        "every shift has capacity 0",
    ),
    "calendar_without_open_hours": (
        ModelValidationError,
        "pool 'Clerks'",
        "",
        "the calendar has no open hours, and this pool has no shifts",
    ),
    "working_hours_wait_in_closed_calendar": (
        ModelValidationError,
        "step 'Wait for customer'",
        "working_hours_only",
        "a wait that advances only in working hours never ends",
    ),
    "probability_trap": (
        ModelValidationError,
        "step 'Check form'",
        "",
        "every path from there to an end has probability 0",
    ),
    "infinite_duration": (
        ModelValidationError,
        "step 'Approve'",
        "duration.value",
        "needs finite numbers, received value=inf",
    ),
    "stream_with_zero_profile": (
        ModelValidationError,
        "arrival stream 'Walk-in'",
        "",
        "the arrival rate is zero in every hour of the week",
    ),
    "negative_duration": (
        ModelValidationError,
        "step 'Split work'",
        "duration.value",
        "greater than or equal to 0 (received -2)",
    ),
    "two_steps_with_bad_fields": (
        ModelValidationError,
        "step 'Check records'",
        "duration.mean",
        "greater than 0 (received -15)",
    ),
    "two_routings": (
        ModelValidationError,
        "step 'Issue licence'",
        "",
        "give exactly one of next, branches, parallel or end",
    ),
    "misspelt_field": (
        ModelValidationError,
        "step 'Check form'",
        "pcca",
        "unknown field",
    ),
    "unknown_distribution": (
        ModelValidationError,
        "step 'Wait for customer'",
        "duration",
        "Input tag 'gamma'",
    ),
    "capacity_not_a_number": (
        ModelValidationError,
        "pool 'Clerks'",
        "capacity",
        "received 'two'",
    ),
}


def test_licence_desk_is_clean():
    model, warnings = load_and_validate(LICENCE_DESK)

    assert warnings == []
    assert find_problems(model) == []


def test_every_broken_model_is_in_table():
    files = {path.stem for path in BROKEN.glob("*.yaml")}

    assert files == set(BROKEN_CASES)


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_broken_model_reports_problem(name):
    error_type, where, field, fragment = BROKEN_CASES[name]
    path = BROKEN / f"{name}.yaml"

    with pytest.raises(error_type) as caught:
        load_and_validate(path)

    matches = [
        p for p in caught.value.problems if p.where == where and p.field == field
    ]
    assert matches, f"no problem at {where}, field {field!r}: {caught.value}"
    assert any(fragment in p.message for p in matches), str(caught.value)
    assert all(p.severity == "error" for p in matches)
    assert str(path) in str(caught.value)


def test_two_steps_with_bad_fields_both_reported():
    with pytest.raises(ModelValidationError) as caught:
        load_model(BROKEN / "two_steps_with_bad_fields.yaml")

    located = {(p.where, p.field) for p in caught.value.problems}
    assert ("step 'Check form'", "pca") in located
    assert ("step 'Check records'", "duration.mean") in located
    assert "2 problems found" in str(caught.value)


def test_bad_fields_in_step_and_pool_reported_together():
    text = LICENCE_DESK.read_text()
    text = text.replace(
        "{name: Officers, capacity: 2}", "{name: Officers, capacity: 0}"
    )
    text = text.replace("value: 5}", "value: -5}")
    text = text.replace(
        "name: Issue licence\n", "name: Issue licence\n    colour: red\n"
    )

    with pytest.raises(ModelValidationError) as caught:
        parse_model(text)

    located = {(p.where, p.field) for p in caught.value.problems}
    assert ("pool 'Officers'", "capacity") in located
    assert ("step 'Approve'", "duration.value") in located
    assert ("step 'Issue licence'", "colour") in located


def test_cross_element_errors_reported_together():
    text = LICENCE_DESK.read_text()
    text = text.replace(
        "lane: Back office\n    pool: Officers\n    duration: {dist: fixed, value: 5}",
        "lane: Backoffice\n    pool: Officers\n    duration: {dist: fixed, value: 5}",
    )
    text = text.replace("probability: 0.8}", "probability: 0.6}")
    text = text.replace(
        "  - {name: Officers, capacity: 2}\n",
        "  - {name: Officers, capacity: 2}\n  - {name: Officers, capacity: 1}\n",
    )
    model = parse_model(text)

    with pytest.raises(ModelValidationError) as caught:
        validate(model, source="edited.yaml")

    located = {(p.where, p.field) for p in caught.value.problems}
    assert ("step 'Approve'", "lane") in located
    assert ("step 'Complete?'", "branches") in located
    assert ("pool 'Officers'", "name") in located
    assert str(caught.value).startswith("edited.yaml: 3 problems found")


def test_unknown_name_without_close_match():
    text = LICENCE_DESK.read_text().replace("next: Complete?", "next: Zebra crossing")
    model = parse_model(text)

    problems = find_problems(model)

    assert len(problems) == 1
    assert "no step is called 'Zebra crossing'" in problems[0].message
    assert "Did you mean" not in problems[0].message


def test_probabilities_within_tolerance_accepted():
    text = LICENCE_DESK.read_text().replace(
        "probability: 0.8}", "probability: 0.8000004}"
    )

    assert validate(parse_model(text)) == []


@pytest.mark.parametrize(
    "probability, total",
    [("0.80001", "1.00001"), ("0.8000015", "1.0000015"), ("0.7999985", "0.9999985")],
)
def test_probabilities_outside_tolerance_rejected(probability, total):
    text = LICENCE_DESK.read_text().replace(
        "probability: 0.8}", f"probability: {probability}}}"
    )

    with pytest.raises(ModelValidationError, match=f"sum to {total}, not 1"):
        validate(parse_model(text))


# A counter open around the clock: one pool, one task, demand set per test.
COUNTER = """
name: Counter
time_unit: {unit}
lanes: [{{name: Desk}}]
pools: [{{name: Clerks, capacity: {capacity}}}]
arrivals: [{{name: Walk-in, start: Serve, rate_per_hour: {rate}}}]
steps:
  - name: Serve
    lane: Desk
    pool: Clerks
    duration: {{dist: fixed, value: {duration}}}
    pca: {pca}
    end: resolved
"""


def counter(rate=6, duration=5, capacity=1, pca=100, unit="minutes"):
    text = COUNTER.format(
        rate=rate, duration=duration, capacity=capacity, pca=pca, unit=unit
    )
    return parse_model(text)


def test_overloaded_pool_warned_with_load():
    # 30 cases an hour, each served twice (pca 50) for 5 minutes: 5 staff busy.
    model = counter(rate=30, duration=5, capacity=2, pca=50)

    warnings = validate(model)

    assert len(warnings) == 1
    assert warnings[0].where == "pool 'Clerks'"
    assert warnings[0].severity == "warning"
    assert "offered load is 5.00 staff" in warnings[0].message
    assert "the 2.00 staff on duty" in warnings[0].message


def test_load_below_capacity_not_warned():
    # 12 cases an hour for 5 minutes: 1 staff busy, exactly the capacity.
    model = counter(rate=12, duration=5, capacity=1)

    assert validate(model) == []


def test_load_uses_time_unit():
    # 0.1 hours is 6 minutes; 20 cases an hour make 2 staff busy.
    model = counter(rate=20, duration=0.1, capacity=1, unit="hours")

    load = _routing_checks.offered_load(model, "Clerks")

    assert load["Serve"] == pytest.approx(2.0)


def test_load_averaged_over_calendar_week():
    text = LICENCE_DESK.read_text()
    model = parse_model(text)
    open_share = 5 * 8 / (7 * 24)
    # Walk-ins arrive 3 an hour during the 40 open hours of the week.
    rate = 3 / 60 * open_share

    load = _routing_checks.offered_load(model, "Officers")

    # Check records: exponential mean 15, visited once per visit to the split,
    # which 80 % of the 90 % accurate checks reach.
    visits_to_split = 0.8 * 0.9 / (1 - 0.1 - 0.9 * 0.2)
    assert load["Check records"] == pytest.approx(rate * visits_to_split * 15)


def test_expected_visits_with_rework_and_decision():
    model = load_model(LICENCE_DESK)

    visits = _routing_checks.expected_visits(model, "Check form")

    # Check form: 1 + 10 % self-rework + the 20 % of its output sent to the
    # customer and back: v = 1 + 0.1 v + 0.9 * 0.2 v.
    check_form = 1 / (1 - 0.1 - 0.18)
    assert visits["Check form"] == pytest.approx(check_form)
    assert visits["Complete?"] == pytest.approx(0.9 * check_form)
    assert visits["Wait for customer"] == pytest.approx(0.18 * check_form)
    assert visits["Split work"] == pytest.approx(1.0)


def test_expected_visits_join_runs_once():
    model = load_model(LICENCE_DESK)

    visits = _routing_checks.expected_visits(model, "Check form")

    assert visits["Check records"] == pytest.approx(1.0)
    assert visits["Check fees"] == pytest.approx(1.0)
    assert visits["Approve"] == pytest.approx(1.0)
    assert visits["Issue licence"] == pytest.approx(1.0)


WARNING_EDITS = [
    (
        "zero_mean_task_with_pool",
        ("{dist: fixed, value: 3}", "{dist: fixed, value: 0}"),
        "step 'Issue licence'",
        "duration",
        "the mean duration is 0",
    ),
    (
        "max_size_with_size_rule",
        (
            "    duration: {dist: fixed, value: 5}\n",
            "    duration: {dist: fixed, value: 5}\n"
            "    batch: {size: 5, max_size: 10}\n",
        ),
        "step 'Approve'",
        "batch.max_size",
        "max_size only limits the cases a meeting releases",
    ),
    (
        "unused_pool",
        (
            "  - {name: Officers, capacity: 2}\n",
            "  - {name: Officers, capacity: 2}\n  - {name: Spare}\n",
        ),
        "pool 'Spare'",
        "",
        "no step uses this pool",
    ),
    (
        "unused_lane",
        ("  - {name: Back office}\n", "  - {name: Back office}\n  - {name: Legal}\n"),
        "lane 'Legal'",
        "",
        "no step is in this lane",
    ),
    (
        "rework_to_never_used",
        (
            "    duration: {dist: fixed, value: 3}\n",
            "    duration: {dist: fixed, value: 3}\n    rework_to: Approve\n",
        ),
        "step 'Issue licence'",
        "rework_to",
        "pca is 100, so rework never happens",
    ),
    (
        "branch_target_twice",
        (
            "{to: Split work, probability: 0.8}",
            "{to: Split work, probability: 0.4}\n"
            "      - {to: Split work, probability: 0.4}",
        ),
        "step 'Complete?'",
        "branches",
        "2 branches go to 'Split work'",
    ),
    (
        "touchpoint_on_decision",
        ("    kind: decision\n", "    kind: decision\n    touchpoint: true\n"),
        "step 'Complete?'",
        "touchpoint",
        "a decision step ignores touchpoint",
    ),
    (
        "wait_for_on_task",
        ("    pca: 90\n", "    pca: 90\n    wait_for: mail\n"),
        "step 'Check form'",
        "wait_for",
        "a task step ignores wait_for",
    ),
    (
        "step_only_behind_zero_branch",
        (
            "{to: Wait for customer, probability: 0.2}",
            "{to: Wait for customer, probability: 0.2}\n"
            "      - {to: Refer to legal, probability: 0}\n"
            "  - {name: Refer to legal, lane: Back office, "
            "duration: {dist: fixed, value: 9}, next: Issue licence}",
        ),
        "step 'Refer to legal'",
        "",
        "every branch that leads here has probability 0",
    ),
    (
        "backlog_without_arrivals",
        (
            "open_hours_only: true}",
            "hour_profile: [" + ", ".join(["0"] * 24) + "], backlog: 40}",
        ),
        "arrival stream 'Walk-in'",
        "",
        "so no new case arrives",
    ),
]


@pytest.mark.parametrize("edit", WARNING_EDITS, ids=[case[0] for case in WARNING_EDITS])
def test_warning_reported_without_raising(edit):
    _, (old, new), where, field, fragment = edit
    text = LICENCE_DESK.read_text()
    assert text.count(old) == 1
    model = parse_model(text.replace(old, new))

    warnings = validate(model)

    located = [w for w in warnings if w.where == where and w.field == field]
    assert located, warnings
    assert all(w.severity == "warning" for w in warnings)
    assert any(fragment in w.message for w in located)


def test_zero_branch_to_reached_step_accepted():
    # Issue licence is reached through Approve, so the zero branch leaves it visited.
    old = "{to: Split work, probability: 0.8}"
    new = old + "\n      - {to: Issue licence, probability: 0}"
    model = parse_model(LICENCE_DESK.read_text().replace(old, new))

    assert validate(model) == []


def test_calendar_flags_without_calendar_warned():
    model = parse_model(
        COUNTER.format(rate=1, duration=1, capacity=1, pca=100, unit="minutes").replace(
            "rate_per_hour: 1}", "rate_per_hour: 1, open_hours_only: true}"
        )
    )

    warnings = validate(model)

    assert [(w.where, w.field) for w in warnings] == [
        ("arrival stream 'Walk-in'", "open_hours_only")
    ]


NESTED_PARALLEL = """
name: Nested review
lanes: [{name: Office}]
arrivals: [{name: Mail, start: Open, rate_per_hour: 1}]
steps:
  - {name: Open, lane: Office, duration: {dist: fixed, value: 1},
     parallel: {branches: [Legal, Finance], join: Sign}}
  - {name: Legal, lane: Office, duration: {dist: fixed, value: 1},
     parallel: {branches: [Draft, Cite], join: Legal done}}
  - {name: Draft, lane: Office, duration: {dist: fixed, value: 1}, pca: 80,
     next: Legal done}
  - {name: Cite, lane: Office, duration: {dist: fixed, value: 1}, next: Legal done}
  - {name: Legal done, lane: Office, duration: {dist: fixed, value: 1}, next: Sign}
  - {name: Finance, lane: Office, duration: {dist: fixed, value: 1}, next: Sign}
  - {name: Sign, lane: Office, duration: {dist: fixed, value: 1}, end: resolved}
"""


def test_nested_parallel_split_accepted():
    model = parse_model(NESTED_PARALLEL)

    visits = _routing_checks.expected_visits(model, "Open")

    assert validate(model) == []
    assert visits["Draft"] == pytest.approx(1.25)
    assert visits["Legal done"] == pytest.approx(1.0)
    assert visits["Sign"] == pytest.approx(1.0)


def test_branches_sharing_step_rejected():
    text = NESTED_PARALLEL.replace(
        "name: Finance, lane: Office, duration: {dist: fixed, value: 1}, next: Sign",
        "name: Finance, lane: Office, duration: {dist: fixed, value: 1}, next: Cite",
    )

    with pytest.raises(
        ModelValidationError,
        match="step 'Cite' of the branch from 'Legal' is also entered from "
        "step 'Finance'",
    ):
        validate(parse_model(text))


def test_split_listing_its_join_rejected():
    text = NESTED_PARALLEL.replace(
        "branches: [Legal, Finance]", "branches: [Legal, Sign]"
    )

    with pytest.raises(ModelValidationError, match="'Sign' is the split or the join"):
        validate(parse_model(text))


@pytest.mark.parametrize(
    "path", bundled_model_paths(), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_bundled_model_validates(path):
    model, warnings = load_and_validate(path)

    assert model.steps
    assert all(w.severity == "warning" for w in warnings)


# Files that must be rejected while reading, before any field is checked.
BILLION_LAUGHS = "\n".join(
    ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
)
UNREADABLE_TEXTS = {
    "billion_laughs": (BILLION_LAUGHS, "anchors and aliases"),
    "deep_flow_nesting": ("name: " + "[" * 50_000 + "]" * 50_000, "nested too deeply"),
    "deep_block_nesting": (
        "".join(" " * i + "a:\n" for i in range(1_000)),
        "nested too deeply",
    ),
    "top_level_list": ("- name: Tiny\n- lanes: []\n", "received list"),
    "top_level_number": ("42\n", "received int"),
    "empty_file": ("", "received empty"),
    "comment_only": ("# nothing here\n", "received empty"),
    "python_tag": ("name: !!python/name:os.system\n", "invalid YAML"),
    "custom_tag": ("name: !permit Counter\n", "invalid YAML"),
    "duplicate_key": ("name: A\nname: B\n", "duplicate key"),
    "impossible_date": (
        "calendar: {hours: {}, holidays: [2026-02-30]}\n",
        "invalid YAML value",
    ),
    "tab_indentation": ("steps:\n\t- name: A\n", "invalid YAML"),
    "unclosed_quote": ("name: 'Counter\n", "invalid YAML"),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE_TEXTS))
def test_unreadable_text_rejected(name):
    text, fragment = UNREADABLE_TEXTS[name]

    with pytest.raises(ModelError, match=fragment):
        parse_model(text)


def test_billion_laughs_file_rejected(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(BILLION_LAUGHS)

    with pytest.raises(ModelFileError, match="anchors and aliases"):
        load_model(path)


@pytest.mark.parametrize(
    "raw",
    [b"name: Caf\xe9\n", b"\xff\xfen\x00a\x00m\x00e\x00", b"name: \xc3\x28\n"],
    ids=["latin1", "utf16", "broken_utf8"],
)
def test_non_utf8_bytes_rejected(tmp_path, raw):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(raw)

    with pytest.raises(ModelFileError, match="not UTF-8 text"):
        load_model(path)


def test_utf8_byte_order_mark_accepted():
    text = LICENCE_DESK.read_text()

    model = parse_model("\ufeff".encode() + text.encode("utf-8"))

    assert model.name == "Licence desk"


@pytest.mark.parametrize(
    "path",
    [*bundled_model_paths(), LICENCE_DESK],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_visits_agree_with_structure_module(path):
    # workbench.structure solves the same flow equations with its own code, for
    # cases mixed over the streams in proportion to their mean arrival rates.
    model = load_model(path)
    shares = structure.start_shares(model)
    mixed = {step.name: 0.0 for step in model.steps}
    for start, share in shares.items():
        for name, visits in _routing_checks.expected_visits(model, start).items():
            mixed[name] += share * visits

    expected = structure.expected_visits(model)

    for name, visits in mixed.items():
        assert visits == pytest.approx(expected[name], abs=1e-9), name


DURATION_FAULTS = {
    "number": ("5", "duration", "received 5; dist is one of fixed"),
    "no_dist": ("{value: 5}", "duration", "a duration is a mapping with dist"),
    "no_value": ("{dist: fixed}", "duration.value", "required field is missing"),
    "gamma": ("{dist: gamma, shape: 2}", "duration", "Input tag 'gamma'"),
}


@pytest.mark.parametrize("name", sorted(DURATION_FAULTS))
def test_duration_fault_message(name):
    replacement, field, fragment = DURATION_FAULTS[name]
    text = LICENCE_DESK.read_text().replace("{dist: fixed, value: 5}", replacement)

    with pytest.raises(ModelValidationError) as caught:
        parse_model(text)

    problem = caught.value.problems[0]
    assert len(caught.value.problems) == 1
    assert problem.where == "step 'Approve'"
    assert problem.field == field
    assert fragment in problem.message


SPLIT_FAULTS = {
    "join_is_split": (
        "join: Sign}",
        "join: Open}",
        "parallel.join",
        "the join is the split step itself",
    ),
    "branch_listed_twice": (
        "branches: [Legal, Finance]",
        "branches: [Legal, Legal]",
        "parallel.branches",
        "'Legal' is listed 2 times",
    ),
    "branch_is_split": (
        "branches: [Legal, Finance]",
        "branches: [Legal, Open]",
        "parallel.branches",
        "'Open' is the split or the join",
    ),
}


@pytest.mark.parametrize("name", sorted(SPLIT_FAULTS))
def test_parallel_field_fault_rejected(name):
    old, new, field, fragment = SPLIT_FAULTS[name]
    text = NESTED_PARALLEL.replace(old, new, 1)

    with pytest.raises(ModelValidationError) as caught:
        validate(parse_model(text))

    located = [p for p in caught.value.problems if p.where == "step 'Open'"]
    assert any(p.field == field and fragment in p.message for p in located)


def test_two_splits_sharing_join_rejected():
    # Finance becomes a second split whose branches also meet at Sign.
    text = NESTED_PARALLEL.replace(
        "{name: Finance, lane: Office, duration: {dist: fixed, value: 1}, next: Sign}",
        "{name: Finance, lane: Office, duration: {dist: fixed, value: 1},\n"
        "     parallel: {branches: [Fees, Budget], join: Sign}}\n"
        "  - {name: Fees, lane: Office, duration: {dist: fixed, value: 1}, "
        "next: Sign}\n"
        "  - {name: Budget, lane: Office, duration: {dist: fixed, value: 1}, "
        "next: Sign}",
    )
    model = parse_model(text)

    with pytest.raises(ModelValidationError, match="the join 'Sign' is also entered"):
        validate(model)
