"""Reading CSV and XES event logs: time zones, ordering, pairing and unsafe XML."""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import EventLogError
from workbench.eventlog import EVENT_COLUMNS, LogMapping, read_log

LOGS = Path(__file__).parent / "logs"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_mixed_offsets_converted_to_utc():
    events, report = read_log(LOGS / "mixed_offsets.csv")

    # 10:00+01:00 = 09:00Z, 09:30Z, 05:00-05:00 = 10:00Z: order follows UTC.
    assert events["activity"].tolist() == ["Register", "Check", "Decide"]
    assert events["end_at"].tolist() == [
        utc("2024-03-01 09:00"),
        utc("2024-03-01 09:30"),
        utc("2024-03-01 10:00"),
    ]
    assert report.utc_offsets == {"+01:00": 1, "Z": 1, "-05:00": 1}


def test_daylight_saving_change_converted():
    events, report = read_log(LOGS / "dst_change.csv", timezone="Europe/Amsterdam")

    case_a = events[events["case_id"] == "A"]
    elapsed = case_a["end_at"].iloc[1] - case_a["end_at"].iloc[0]
    assert elapsed == pd.Timedelta(hours=1)
    assert case_a["end_at"].iloc[0] == utc("2024-03-31 00:30")


def test_skipped_and_repeated_local_times_reported():
    events, report = read_log(LOGS / "dst_change.csv", timezone="Europe/Amsterdam")

    # Row 2 (02:30 on 31 March) does not exist; row 3 (02:30 on 27 October) occurs
    # twice. Both are left out with a reason, not guessed.
    assert sorted(report.unusable_rows) == [2, 3]
    assert "daylight-saving" in report.unusable_rows[2]
    assert "daylight-saving" in report.unusable_rows[3]
    assert events[events["case_id"] == "B"]["activity"].tolist() == ["Decide"]
    assert report.events == 3


def test_naive_timestamps_need_timezone():
    with pytest.raises(EventLogError, match="--timezone"):
        read_log(LOGS / "naive_and_utc.csv")


def test_naive_and_utc_mixed_with_timezone():
    events, _ = read_log(LOGS / "naive_and_utc.csv", timezone="Europe/Amsterdam")

    # 09:00 in Amsterdam in June is 07:00Z, so it comes before 08:00Z.
    assert events["end_at"].tolist() == [
        utc("2024-06-03 07:00"),
        utc("2024-06-03 08:00"),
    ]
    assert events["activity"].tolist() == ["Register", "Check"]


def test_fixed_offset_timezone_accepted():
    events, _ = read_log(LOGS / "naive_and_utc.csv", timezone="+02:00")

    assert events["end_at"].iloc[0] == utc("2024-06-03 07:00")


def test_unknown_timezone_rejected():
    with pytest.raises(EventLogError, match="unknown time zone 'Mars/Olympus'"):
        read_log(LOGS / "naive_and_utc.csv", timezone="Mars/Olympus")


def test_day_first_dates_rejected_without_format():
    with pytest.raises(EventLogError, match="day first") as error:
        read_log(LOGS / "day_first.csv", timezone="UTC")

    assert "--date-format" in str(error.value)


def test_day_first_dates_read_with_format():
    events, _ = read_log(
        LOGS / "day_first.csv", timezone="UTC", date_format="%d/%m/%Y %H:%M"
    )

    assert events["end_at"].tolist() == [
        utc("2024-04-03 09:00"),
        utc("2024-04-25 10:15"),
    ]


def test_unsorted_rows_sorted_by_case_and_time():
    events, _ = read_log(LOGS / "ties_unsorted.csv")

    assert events["case_id"].tolist() == ["A", "A", "A", "B", "B", "B"]
    assert events["activity"].tolist()[3:] == ["Register", "Check", "Check"]
    assert events["row"].tolist()[3:] == [3, 0, 5]


def test_identical_timestamps_keep_file_order():
    events, report = read_log(LOGS / "ties_unsorted.csv")

    # Decide (row 1) and Check (row 4) of case A share 12:00; file order is kept.
    assert events["activity"].tolist()[:3] == ["Register", "Decide", "Check"]
    assert report.ties == 1


def test_event_table_columns():
    events, _ = read_log(LOGS / "ties_unsorted.csv")

    assert tuple(events.columns) == EVENT_COLUMNS
    assert str(events["end_at"].dtype) == "datetime64[ns, UTC]"
    assert events["start_at"].isna().all()
    assert events["resource"].tolist()[:3] == ["Ann", "Bob", "Ann"]


def test_start_and_complete_paired():
    events, report = read_log(LOGS / "start_complete.csv")

    case_a = events[events["case_id"] == "A"]
    assert case_a["activity"].tolist() == ["Register", "Review", "Review", "Notify"]
    process = (case_a["end_at"] - case_a["start_at"]).dt.total_seconds() / 60
    assert process.tolist()[:3] == [10.0, 30.0, 20.0]
    assert pd.isna(case_a["start_at"].iloc[3])


def test_start_without_complete_reported():
    events, report = read_log(LOGS / "start_complete.csv")

    assert report.unpaired_starts == 1
    assert "no later completion" in report.unusable_rows[10]
    assert events[events["case_id"] == "B"]["activity"].tolist() == ["Register"]


def test_other_transitions_counted():
    _, report = read_log(LOGS / "start_complete.csv")

    assert report.ignored_transitions == {"schedule": 1}
    assert "schedule" in report.unusable_rows[6]
    assert report.unpaired_completes == 1
    assert report.rows_read == 11
    assert report.paired_starts == 4
    assert report.events + len(report.unusable_rows) + 4 == report.rows_read


def test_start_timestamp_column_used():
    text = (
        "case,activity,start,end\n"
        "1,Intake,2024-05-06T09:00:00Z,2024-05-06T09:12:00Z\n"
        "1,Review,2024-05-06T10:00:00Z,2024-05-06T09:30:00Z\n"
    )
    mapping = LogMapping(case="case", timestamp="end", start_timestamp="start")

    events, report = read_log(io.StringIO(text), mapping)

    assert events["start_at"].iloc[0] == utc("2024-05-06 09:00")
    assert report.unusable_rows == {1: "start time is after the completion time"}


def test_repeated_activity_kept():
    events, _ = read_log(LOGS / "ties_unsorted.csv")

    case_b = events[events["case_id"] == "B"]["activity"].tolist()
    assert case_b.count("Check") == 2


def test_empty_log_has_no_events():
    events, report = read_log(LOGS / "empty.csv")

    assert events.empty
    assert report.cases == 0


def test_blank_file_rejected(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("\n", encoding="utf-8")

    with pytest.raises(EventLogError, match="empty"):
        read_log(path)


def test_one_case_log():
    events, report = read_log(LOGS / "one_case.csv")

    assert report.cases == 1
    assert len(events) == 3


def test_missing_required_column_named():
    with pytest.raises(EventLogError, match="activity") as error:
        read_log(LOGS / "missing_column.csv")

    message = str(error.value)
    assert "--activity-column" in message
    assert "'task_name'" in message


def test_mapping_to_absent_column_rejected():
    with pytest.raises(EventLogError, match="'Task' given for the activity"):
        read_log(LOGS / "missing_column.csv", LogMapping(activity="Task"))


def test_missing_values_reported_by_row():
    text = "case_id,activity,timestamp\n1,A,2024-01-01T10:00Z\n,B,2024-01-01T11:00Z\n"
    text += "1,C,\n1,,2024-01-01T12:00Z\n1,D,yesterday\n"

    events, report = read_log(io.StringIO(text))

    assert events["activity"].tolist() == ["A"]
    assert sorted(report.unusable_rows) == [1, 2, 3, 4]
    assert "missing case" in report.unusable_rows[1]
    assert "missing value" in report.unusable_rows[2]
    assert "missing activity" in report.unusable_rows[3]
    assert "'yesterday'" in report.unusable_rows[4]


def test_semicolon_cp1252_csv_detected(tmp_path):
    path = tmp_path / "export.csv"
    text = "case;activity;timestamp\n1;Prüfung;2024-01-01T10:00:00Z\n"
    text += "1;Bescheid erstellt – ok;2024-01-01T11:00:00Z\n"
    path.write_bytes(text.encode("cp1252"))

    events, report = read_log(path)

    assert report.delimiter == ";"
    assert report.encoding == "cp1252"
    assert events["activity"].tolist() == ["Prüfung", "Bescheid erstellt – ok"]


def test_utf8_byte_order_mark_removed(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        "case_id,activity,timestamp\n7,A,2024-01-01T10:00Z\n".encode("utf-8-sig")
    )

    events, report = read_log(path)

    assert report.mapping.case == "case_id"
    assert events["case_id"].tolist() == ["7"]


def test_running_example_csv_and_xes_agree(running_example_csv, running_example_xes):
    from_csv, _ = read_log(running_example_csv)
    from_xes, _ = read_log(running_example_xes)

    columns = ["case_id", "activity", "end_at", "resource"]
    pd.testing.assert_frame_equal(from_csv[columns], from_xes[columns])


def test_running_example_matches_raw_rows(running_example_csv):
    with open(running_example_csv, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    events, report = read_log(running_example_csv)

    assert report.rows_read == len(rows) == len(events)
    assert report.cases == len({row["case:concept:name"] for row in rows})
    for event in events.itertuples():
        raw = rows[event.row]
        assert raw["concept:name"] == event.activity
        assert pd.Timestamp(raw["time:timestamp"]).tz_convert("UTC") == event.end_at


def test_receipt_xes_gz_read(receipt_xes):
    with gzip.open(receipt_xes, "rt", encoding="utf-8") as handle:
        text = handle.read()

    events, report = read_log(receipt_xes)

    assert report.rows_read == text.count("<event>")
    assert report.cases == text.count("<trace>")
    assert report.unusable_rows == {}
    # The first match is the global default declared for every trace.
    channels = re.findall(r'key="channel" value="([^"]*)"', text)[1:]
    assert set(events["channel"]) == set(channels)


def test_trace_attributes_after_events():
    events, _ = read_log(LOGS / "trace_attributes_last.xes")

    assert events["case_id"].tolist() == ["case-7", "case-7"]
    assert events["channel"].tolist() == ["Phone", "Phone"]


def test_billion_laughs_rejected():
    with pytest.raises(EventLogError, match="unsafe XML"):
        read_log(LOGS / "billion_laughs.xes")


def test_external_entity_rejected():
    with pytest.raises(EventLogError, match="unsafe XML"):
        read_log(LOGS / "external_entity.xes")


def test_invalid_xml_rejected(tmp_path):
    path = tmp_path / "broken.xes"
    path.write_text("<log><trace><event></trace></log>", encoding="utf-8")

    with pytest.raises(EventLogError, match="invalid XML"):
        read_log(path)


def test_missing_file_rejected(tmp_path):
    with pytest.raises(EventLogError, match="file not found"):
        read_log(tmp_path / "absent.csv")


def test_oversized_gzip_rejected(receipt_xes, monkeypatch):
    monkeypatch.setattr("workbench.eventlog.xes.MAX_LOG_BYTES", 100_000)

    with pytest.raises(EventLogError, match="exceeds 100,000 bytes"):
        read_log(receipt_xes)


def test_gzip_csv_read(tmp_path):
    path = tmp_path / "export.csv.gz"
    text = "case_id,activity,timestamp\n1,A,2024-01-01T10:00Z\n1,B,2024-01-01T11:00Z\n"
    path.write_bytes(gzip.compress(text.encode("utf-8")))

    events, report = read_log(path)

    assert report.file_format == "csv"
    assert events["activity"].tolist() == ["A", "B"]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3", ""]),
            st.sampled_from(["A", "B", ""]),
            st.sampled_from(["start", "complete", "schedule", ""]),
            st.one_of(st.integers(0, 600), st.just(-1)),
        ),
        max_size=25,
    )
)
def test_every_row_accounted_for(rows):
    lines = ["case_id,activity,lifecycle,timestamp"]
    for case, activity, transition, minute in rows:
        stamp = "not a time" if minute < 0 else f"2024-01-01T{minute // 60:02d}:"
        stamp += "" if minute < 0 else f"{minute % 60:02d}:00Z"
        lines.append(f"{case},{activity},{transition},{stamp}")

    events, report = read_log(io.StringIO("\n".join(lines) + "\n"))

    merged = report.paired_starts
    assert report.rows_read == len(rows)
    assert len(events) + len(report.unusable_rows) + merged == report.rows_read
    assert report.events == len(events)


def test_xes_without_events_rejected(tmp_path):
    path = tmp_path / "empty.xes"
    path.write_text("<log><trace></trace></log>", encoding="utf-8")

    with pytest.raises(EventLogError, match="no <event> inside a <trace>"):
        read_log(path)
