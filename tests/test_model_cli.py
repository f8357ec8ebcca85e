"""Tests of the validate, render and info commands, run through the real parser."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from defusedxml import ElementTree

from tests.conftest import MODELS, REPO
from workbench.cli import main
from workbench.loading import read_yaml

PERMIT_BEFORE = MODELS / "permit_intake" / "before.yaml"
PERMIT_AFTER = MODELS / "permit_intake" / "after.yaml"

UNKNOWN_NEXT = """
name: Broken
lanes: [{name: Desk}]
pools: [{name: Clerks}]
arrivals: [{name: Calls, start: Answer, rate_per_hour: 1}]
steps:
  - {name: Answer, lane: Desk, pool: Clerks, duration: {dist: fixed, value: 1},
     next: Anwser}
"""

UNUSED_LANE = """
name: Spare lane
lanes: [{name: Desk}, {name: Spare}]
pools: [{name: Clerks}]
arrivals: [{name: Calls, start: Answer, rate_per_hour: 1}]
steps:
  - {name: Answer, lane: Desk, pool: Clerks, duration: {dist: fixed, value: 1},
     end: resolved}
"""


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _work_steps(path) -> int:
    data = read_yaml(path.read_text(encoding="utf-8"))
    return sum(step.get("kind", "task") != "decision" for step in data["steps"])


def test_validate_valid_models(capsys):
    code = main(["validate", str(PERMIT_BEFORE), str(PERMIT_AFTER)])
    out = capsys.readouterr().out

    assert code == 0
    assert f"{PERMIT_BEFORE}: valid" in out
    assert f"{PERMIT_AFTER}: valid" in out


def test_validate_error_exits_1(tmp_path, capsys):
    broken = _write(tmp_path, "broken.yaml", UNKNOWN_NEXT)

    code = main(["validate", str(PERMIT_AFTER), str(broken)])
    captured = capsys.readouterr()

    assert code == 1
    assert f"{PERMIT_AFTER}: valid" in captured.out
    assert "step 'Answer'" in captured.err
    assert "Anwser" in captured.err
    assert "Traceback" not in captured.err


def test_validate_warning_exits_0(tmp_path, capsys):
    spare = _write(tmp_path, "spare.yaml", UNUSED_LANE)

    code = main(["validate", str(spare)])
    out = capsys.readouterr().out

    assert code == 0
    assert "warning: lane 'Spare'" in out
    assert "valid with 1 warning" in out


def test_validate_missing_file_exits_1(tmp_path, capsys):
    code = main(["validate", str(tmp_path / "missing.yaml")])

    assert code == 1
    assert "not found" in capsys.readouterr().err


def test_render_writes_svg(tmp_path, capsys):
    output = tmp_path / "permit.svg"

    code = main(["render", str(PERMIT_AFTER), "-o", str(output)])

    assert code == 0
    assert ElementTree.fromstring(output.read_bytes()).tag.endswith("svg")
    assert str(output) in capsys.readouterr().out


def test_render_format_option(tmp_path):
    output = tmp_path / "permit.out"

    code = main(["render", str(PERMIT_AFTER), "-o", str(output), "--format", "dot"])

    assert code == 0
    assert output.read_text(encoding="utf-8").startswith("digraph")


def test_render_unknown_suffix_exits_2(tmp_path, capsys):
    output = tmp_path / "permit.txt"

    code = main(["render", str(PERMIT_AFTER), "-o", str(output)])

    assert code == 2
    assert "permit.txt" in capsys.readouterr().err
    assert not output.exists()


def test_render_invalid_model_exits_1(tmp_path, capsys):
    broken = _write(tmp_path, "broken.yaml", UNKNOWN_NEXT)

    code = main(["render", str(broken), "-o", str(tmp_path / "map.svg")])

    assert code == 1
    assert "Anwser" in capsys.readouterr().err


def test_render_without_output_is_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["render", str(PERMIT_AFTER)])

    assert caught.value.code == 2
    assert "--output" in capsys.readouterr().err


def test_info_table(capsys):
    code = main(["info", str(PERMIT_BEFORE)])
    out = capsys.readouterr().out

    rows = dict(
        line.strip().rsplit(None, 1) for line in out.splitlines()[1:] if "  " in line
    )
    assert code == 0
    assert out.splitlines()[0] == "Permit intake (before)"
    assert int(rows["steps (task and wait)"]) == _work_steps(PERMIT_BEFORE)
    assert float(rows["ends resolved (percent)"]) == pytest.approx(100.0)
    assert "expected visits per case" in out
    # %C&A 80 at the completeness check: 1 / 0.8 visits per case.
    assert float(rows["Check completeness"]) == pytest.approx(1.25)


def test_info_json_permit_pair_halves_steps(capsys):
    main(["info", "--json", str(PERMIT_BEFORE)])
    before = json.loads(capsys.readouterr().out)
    main(["info", "--json", str(PERMIT_AFTER)])
    after = json.loads(capsys.readouterr().out)

    assert before["steps"] == _work_steps(PERMIT_BEFORE)
    assert after["steps"] == _work_steps(PERMIT_AFTER)
    assert after["steps"] / before["steps"] == pytest.approx(0.5, abs=0.1)
    ratio = after["expected_steps_per_case"] / before["expected_steps_per_case"]
    assert ratio == pytest.approx(0.5, abs=0.1)


def test_info_invalid_model_exits_1(tmp_path, capsys):
    broken = _write(tmp_path, "broken.yaml", UNKNOWN_NEXT)

    code = main(["info", str(broken)])

    assert code == 1
    assert "Traceback" not in capsys.readouterr().err


def test_info_subprocess_json():
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "info", "--json", str(PERMIT_AFTER)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["model"] == "Permit intake (after)"


def _floats(value):
    if isinstance(value, float):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _floats(item)
    elif isinstance(value, list):
        for item in value:
            yield from _floats(item)


@pytest.mark.parametrize("path", sorted(MODELS.glob("*/*.yaml")), ids=str)
def test_info_json_rounds_floats(path, capsys):
    code = main(["info", "--json", str(path)])
    data = json.loads(capsys.readouterr().out)

    assert code == 0
    for value in _floats(data):
        assert value == float(f"{value:.12g}")


def test_info_json_probabilities_sum_to_one(capsys):
    main(["info", "--json", str(PERMIT_BEFORE)])
    data = json.loads(capsys.readouterr().out)

    assert sum(data["end_state_probabilities"].values()) == pytest.approx(1.0)
    assert data["end_state_probabilities"]["resolved"] == 1.0


def test_validate_oversized_file_reports_true_size(tmp_path, capsys):
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"# padding\n" * 303_459 + b"abc")

    code = main(["validate", str(huge)])

    assert code == 1
    error = capsys.readouterr().err
    assert "the file is 3,034,593 bytes" in error
    assert "Traceback" not in error


def test_info_into_closed_pipe_is_quiet():
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "workbench", "info", str(PERMIT_BEFORE)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)

    assert result.returncode == 1
    assert result.stderr == ""


def test_broken_pipe_in_main_is_quiet(monkeypatch, capsys):
    def closed_pipe(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("workbench.cli.model_commands.run_info", closed_pipe)

    code = main(["info", str(PERMIT_BEFORE)])

    assert code == 1
    assert capsys.readouterr().err == ""


def test_write_error_is_one_line(monkeypatch, capsys):
    def denied(args):
        raise PermissionError(13, "Permission denied", "/reports/map.svg")

    monkeypatch.setattr("workbench.cli.model_commands.run_info", denied)

    code = main(["info", str(PERMIT_BEFORE)])

    assert code == 1
    error = capsys.readouterr().err
    assert error == "workbench info: /reports/map.svg: Permission denied\n"


def test_unexpected_error_keeps_traceback(monkeypatch):
    def bug(args):
        raise KeyError("steps")

    monkeypatch.setattr("workbench.cli.model_commands.run_info", bug)

    with pytest.raises(KeyError, match="steps"):
        main(["info", str(PERMIT_BEFORE)])
