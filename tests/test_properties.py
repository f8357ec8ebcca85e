"""Property tests: random valid models pass, and every corruption is a ModelError.

Valid models are built as a main chain of tasks and waits that ends in an end state,
with optional decisions (which may loop back), rework, one parallel split, pools,
shifts, a calendar and several arrival streams. Each corruption breaks one rule,
and must raise ``ModelError`` through the data path (``model_from_data``) and the
text path (``parse_model`` of the YAML text), never another exception.
"""

import copy
import io

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from workbench.errors import ModelError
from workbench.loading import dump_model, model_from_data, parse_model
from workbench.model import ProcessModel
from workbench.validation import validate

PROPERTY_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
POSITIVE = st.floats(min_value=0.1, max_value=50, allow_nan=False)


@st.composite
def durations(draw) -> dict:
    """Draw a valid duration of any distribution, in the model's time unit."""
    kind = draw(
        st.sampled_from(
            ["fixed", "uniform", "triangular", "exponential", "normal", "lognormal"]
            + ["empirical"]
        )
    )
    low = draw(st.floats(min_value=0, max_value=30, allow_nan=False))
    spread = draw(POSITIVE)
    if kind == "fixed":
        return {"dist": "fixed", "value": low}
    if kind == "uniform":
        return {"dist": "uniform", "low": low, "high": low + spread}
    if kind == "triangular":
        mode = low + spread * draw(st.floats(min_value=0, max_value=1))
        return {"dist": "triangular", "min": low, "mode": mode, "max": low + spread}
    if kind == "empirical":
        samples = draw(st.lists(POSITIVE, min_size=1, max_size=6))
        return {"dist": "empirical", "samples": samples}
    if kind == "exponential":
        return {"dist": "exponential", "mean": spread}
    sd = draw(POSITIVE)
    return {"dist": kind, "mean": spread, "sd": sd}


@st.composite
def calendars(draw) -> dict | None:
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, unique=True))
    opening = draw(st.integers(min_value=6, max_value=10))
    closing = draw(st.integers(min_value=opening + 4, max_value=20))
    hours = {day: f"{opening:02d}:00-{closing:02d}:00" for day in days}
    return {"hours": hours}


@st.composite
def pools(draw, index: int) -> dict:
    pool = {"name": f"Pool {index}", "capacity": draw(st.integers(1, 5))}
    if draw(st.booleans()):
        pool["shifts"] = [
            {
                "days": draw(
                    st.lists(st.sampled_from(WEEKDAYS), min_size=1, unique=True)
                ),
                "hours": "08:00-16:00",
                "capacity": draw(st.integers(1, 4)),
            }
        ]
    return pool


@st.composite
def streams(draw, index: int, starts: list[str], has_calendar: bool) -> dict:
    stream = {
        "name": f"Stream {index}",
        "start": starts[0] if index == 0 else draw(st.sampled_from(starts)),
    }
    rate_field = draw(
        st.sampled_from(["rate_per_hour", "rate_per_day", "mean_interarrival"])
    )
    stream[rate_field] = draw(POSITIVE)
    if draw(st.booleans()):
        stream["hour_profile"] = draw(st.lists(POSITIVE, min_size=24, max_size=24))
    if draw(st.booleans()):
        stream["weekday_profile"] = {"sat": draw(POSITIVE), "sun": draw(POSITIVE)}
    elif draw(st.booleans()):
        day = draw(st.sampled_from(WEEKDAYS))
        weights = draw(st.lists(POSITIVE, min_size=24, max_size=24))
        stream["weekly_profile"] = {day: weights}
    stream["open_hours_only"] = has_calendar and draw(st.booleans())
    stream["priority"] = draw(st.integers(-2, 2))
    stream["backlog"] = draw(st.integers(0, 5))
    return stream


@st.composite
def valid_model_data(draw) -> dict:
    """Draw the data of a model that breaks no error rule (warnings are allowed)."""
    lanes = [f"Lane {i}" for i in range(draw(st.integers(1, 3)))]
    pool_list = [draw(pools(i)) for i in range(draw(st.integers(0, 2)))]
    pool_names = [pool["name"] for pool in pool_list]
    calendar = draw(st.none() | calendars())
    main = [f"Step {i}" for i in range(draw(st.integers(1, 6)))]
    split_at = None
    if len(main) >= 2 and draw(st.booleans()):
        split_at = draw(st.integers(0, len(main) - 2))
    join_index = None if split_at is None else split_at + 1
    # Decisions, loops and rework may go to any main step except the join.
    targets = [name for i, name in enumerate(main) if i != join_index]

    def work_step(name: str, in_branch: bool) -> dict:
        kind = draw(st.sampled_from(["task", "task", "wait"]))
        step = {"name": name, "kind": kind, "lane": draw(st.sampled_from(lanes))}
        step["duration"] = draw(durations())
        step["value_class"] = draw(st.sampled_from(["VA", "BVA", "NVA"]))
        step["touchpoint"] = draw(st.booleans())
        if kind == "task" and pool_names:
            step["pool"] = draw(st.none() | st.sampled_from(pool_names))
        if step.get("pool") and not in_branch and draw(st.booleans()):
            step["patience"] = {"dist": "exponential", "mean": draw(POSITIVE)}
        if kind == "wait" and calendar is not None:
            step["working_hours_only"] = draw(st.booleans())
        batch_rule = draw(st.sampled_from([None, None, "size", "meets"]))
        if batch_rule == "size":
            step["batch"] = {"size": draw(st.integers(1, 10))}
        elif batch_rule == "meets":
            day = draw(st.sampled_from(WEEKDAYS))
            step["batch"] = {
                "meets": [[day, "10:30"]],
                "max_size": draw(st.integers(1, 20)),
            }
        if draw(st.booleans()):
            step["pca"] = draw(st.floats(min_value=50, max_value=99.5))
            if not in_branch:
                step["rework_to"] = draw(st.sampled_from([name, *targets]))
        return step

    steps = []
    for i, name in enumerate(main):
        step = work_step(name, in_branch=False)
        steps.append(step)
        if i == len(main) - 1:
            step["end"] = draw(
                st.sampled_from(["resolved", "withdrawn", "transferred_out"])
            )
        elif i == split_at:
            branches = [f"Branch {j}" for j in range(draw(st.integers(2, 3)))]
            step["parallel"] = {"branches": branches, "join": main[i + 1]}
            for branch in branches:
                branch_step = work_step(branch, in_branch=True)
                branch_step["next"] = main[i + 1]
                steps.append(branch_step)
        elif draw(st.booleans()):
            step["next"] = f"Decide {i}"
            steps.append(decision(draw, f"Decide {i}", main[i + 1], targets))
        else:
            step["next"] = main[i + 1]
    data = {
        "name": draw(st.text(min_size=1, max_size=20).filter(str.strip)),
        "time_unit": draw(st.sampled_from(["seconds", "minutes", "hours", "days"])),
        "lanes": [{"name": lane} for lane in lanes],
        "pools": pool_list,
        "arrivals": [
            draw(streams(i, targets, calendar is not None))
            for i in range(draw(st.integers(1, 2)))
        ],
        "steps": steps,
    }
    if calendar is not None:
        data["calendar"] = calendar
    return data


def decision(draw, name: str, forward: str, targets: list[str]) -> dict:
    """Return a decision that goes on to ``forward`` or to another main step."""
    others = [target for target in targets if target != forward]
    assume(others)
    other_targets = draw(
        st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True)
    )
    weights = [draw(st.integers(1, 9)) for _ in range(len(other_targets) + 1)]
    total = sum(weights)
    branches = [
        {"to": target, "probability": weight / total}
        for target, weight in zip([forward, *other_targets], weights, strict=True)
    ]
    return {"name": name, "kind": "decision", "branches": branches}


def yaml_text(data) -> str:
    """Return ``data`` as block-style YAML text, as ruamel.yaml writes it."""
    stream = io.StringIO()
    YAML().dump(data, stream)
    return stream.getvalue()


def assert_rejected(data) -> None:
    """Check that ``data`` raises ModelError by the data path and the text path."""
    with pytest.raises(ModelError):
        validate(model_from_data(copy.deepcopy(data)))
    with pytest.raises(ModelError):
        validate(parse_model(yaml_text(data)))


@PROPERTY_SETTINGS
@given(valid_model_data())
def test_valid_model_passes(data):
    model = model_from_data(data)

    warnings = validate(model)

    assert all(problem.severity == "warning" for problem in warnings)


@PROPERTY_SETTINGS
@given(valid_model_data())
def test_valid_model_round_trips(data):
    model = model_from_data(data)

    reloaded = parse_model(dump_model(model))

    assert reloaded == model
    validate(reloaded)


REQUIRED_FIELDS = [
    ("name",),
    ("lanes",),
    ("arrivals",),
    ("steps",),
    ("steps", 0, "name"),
    ("steps", 0, "duration"),
    ("arrivals", 0, "start"),
    ("lanes", 0, "name"),
]


@PROPERTY_SETTINGS
@given(valid_model_data(), st.sampled_from(REQUIRED_FIELDS))
def test_missing_required_field_rejected(data, path):
    *parents, key = path
    element = data
    for part in parents:
        element = element[part]
    del element[key]

    assert_rejected(data)


REFERENCES = ["next", "lane", "pool", "rework_to", "branch", "start", "join"]


@PROPERTY_SETTINGS
@given(valid_model_data(), st.sampled_from(REFERENCES), st.data())
def test_reference_to_missing_name_rejected(data, reference, pick):
    missing = "No such " + pick.draw(st.text(min_size=1, max_size=8))
    steps = data["steps"]
    if reference == "start":
        data["arrivals"][0]["start"] = missing
    elif reference == "branch":
        decisions = [s for s in steps if s.get("branches")]
        assume(decisions)
        pick.draw(st.sampled_from(decisions))["branches"][0]["to"] = missing
    elif reference == "join":
        splits = [s for s in steps if s.get("parallel")]
        assume(splits)
        splits[0]["parallel"]["join"] = missing
    else:
        fitting = [
            s for s in steps if reference in s or reference in ("lane", "rework_to")
        ]
        fitting = [s for s in fitting if s["kind"] != "decision"]
        assume(fitting)
        step = pick.draw(st.sampled_from(fitting))
        step[reference] = missing
        if reference == "rework_to":
            step["pca"] = 90.0

    assert_rejected(data)


@PROPERTY_SETTINGS
@given(valid_model_data(), st.floats(min_value=0.1, max_value=0.95))
def test_probabilities_not_summing_to_one_rejected(data, factor):
    decisions = [s for s in data["steps"] if s.get("branches")]
    assume(decisions)
    for branch in decisions[0]["branches"]:
        branch["probability"] *= factor

    assert_rejected(data)


NEGATIVE_DURATIONS = [
    {"dist": "fixed", "value": -1},
    {"dist": "uniform", "low": -5, "high": 3},
    {"dist": "triangular", "min": -1, "mode": 2, "max": 4},
    {"dist": "exponential", "mean": -3},
    {"dist": "lognormal", "mean": 5, "sd": -1},
    {"dist": "empirical", "samples": [3, -2]},
]


@PROPERTY_SETTINGS
@given(valid_model_data(), st.sampled_from(NEGATIVE_DURATIONS), st.data())
def test_negative_duration_rejected(data, duration, pick):
    work = [s for s in data["steps"] if s["kind"] != "decision"]
    pick.draw(st.sampled_from(work))["duration"] = duration

    assert_rejected(data)


WRONG_TYPES = [
    (("steps",), "none"),
    (("lanes",), {"name": "Desk"}),
    (("time_unit",), "fortnights"),
    (("steps", 0, "pca"), "high"),
    (("steps", 0, "touchpoint"), [1, 2]),
    (("steps", 0, "name"), 42),
    (("steps", 0, "kind"), "meeting"),
    (("arrivals", 0, "priority"), "urgent"),
    (("arrivals", 0, "backlog"), -3),
    (("arrivals", 0, "hour_profile"), [1, 2, 3]),
    (("lanes", 0, "kind"), "team"),
    (("calendar",), {"hours": {"monday": "08:00-16:00"}}),
    (("calendar",), {"hours": {"mon": "16:00-08:00"}}),
    (("steps", 0, "duration"), 5),
    (("steps", 0, "duration"), {"dist": "fixed"}),
    (("name",), ""),
]


@PROPERTY_SETTINGS
@given(valid_model_data(), st.sampled_from(WRONG_TYPES))
def test_wrong_type_rejected(data, change):
    (*parents, key), value = change
    element = data
    for part in parents:
        element = element[part]
    element[key] = value

    assert_rejected(data)


@PROPERTY_SETTINGS
@given(valid_model_data(), st.sampled_from(["steps", "lanes", "arrivals", "pools"]))
def test_duplicate_name_rejected(data, section):
    assume(data[section])
    data[section].append(copy.deepcopy(data[section][-1]))

    assert_rejected(data)


@PROPERTY_SETTINGS
@given(st.text(max_size=400))
def test_garbage_text_raises_model_error_only(text):
    try:
        model = parse_model(text)
    except ModelError as error:
        assert error.problems
    else:
        assert isinstance(model, ProcessModel)


YAML_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
)
NESTED_DATA = st.recursive(
    YAML_SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)


@PROPERTY_SETTINGS
@given(
    valid_model_data(),
    st.sampled_from(["steps", "lanes", "arrivals", "pools", "calendar"]),
    NESTED_DATA,
)
def test_random_section_raises_model_error_only(data, section, value):
    data[section] = value

    try:
        warnings = validate(model_from_data(data))
    except ModelError as error:
        assert error.problems
    else:
        assert all(problem.severity == "warning" for problem in warnings)


@PROPERTY_SETTINGS
@given(valid_model_data(), st.data())
def test_edited_text_raises_model_error_only(data, pick):
    text = yaml_text(data)
    start = pick.draw(st.integers(0, len(text)))
    end = pick.draw(st.integers(start, min(len(text), start + 40)))
    inserted = pick.draw(
        st.sampled_from(
            ["", ":", "- ", "[", "{", "'", "\t", "&a ", "*a", "!!str ", "\n  "]
        )
    )
    edited = text[:start] + inserted + text[end:]

    try:
        warnings = validate(parse_model(edited))
    except ModelError as error:
        assert error.problems
    else:
        assert all(problem.severity == "warning" for problem in warnings)
