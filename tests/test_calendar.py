"""Tests of the working calendar, staff on duty and arrival rates."""

from __future__ import annotations

import datetime as dt

import pytest

from workbench.calendar import (
    WEEK_MINUTES,
    add_working_minutes,
    arrival_rate_segments,
    is_open,
    mean_arrival_rate_per_minute,
    mean_pool_capacity,
    off_duty_minutes,
    pool_capacity_segments,
)
from workbench.model import Calendar, ProcessModel

MONDAY = dt.date(2026, 1, 5)
DAY = 1440.0


def make_model(**overrides) -> ProcessModel:
    data = {
        "name": "Counter",
        "calendar": {
            "hours": {
                day: "08:00-16:00" for day in ("mon", "tue", "wed", "thu", "fri")
            },
            "holidays": ["2026-01-07"],
        },
        "lanes": [{"name": "Front desk"}],
        "pools": [{"name": "Clerks", "capacity": 3}],
        "arrivals": [{"name": "Walk-ins", "start": "Serve", "rate_per_hour": 6}],
        "steps": [
            {
                "name": "Serve",
                "lane": "Front desk",
                "pool": "Clerks",
                "duration": {"dist": "fixed", "value": 5},
                "end": "resolved",
            }
        ],
    }
    data.update(overrides)
    return ProcessModel.model_validate(data)


def test_is_open_weekday_hours_and_holiday():
    calendar = make_model().calendar

    assert is_open(calendar, 8 * 60, MONDAY)
    assert not is_open(calendar, 16 * 60, MONDAY)
    assert not is_open(calendar, 7 * 60 + 59, MONDAY)
    assert not is_open(calendar, 2 * DAY + 9 * 60, MONDAY)  # Wednesday holiday
    assert not is_open(calendar, 5 * DAY + 9 * 60, MONDAY)  # Saturday
    assert is_open(None, 5 * DAY + 3 * 60, MONDAY)


def test_pool_segments_follow_calendar():
    segments = pool_capacity_segments(make_model(), "Clerks", MONDAY, 2 * DAY)

    assert segments == [
        (0.0, 480.0, 0),
        (480.0, 960.0, 3),
        (960.0, DAY + 480.0, 0),
        (DAY + 480.0, DAY + 960.0, 3),
        (DAY + 960.0, 2 * DAY, 0),
    ]


def test_pool_segments_close_on_holiday():
    segments = pool_capacity_segments(make_model(), "Clerks", MONDAY, 3 * DAY)

    wednesday = [s for s in segments if s[1] > 2 * DAY]
    assert wednesday == [(DAY + 960.0, 3 * DAY, 0)]


def test_overlapping_shifts_add_up():
    pools = [
        {
            "name": "Clerks",
            "shifts": [
                {"days": ["mon"], "hours": "06:00-14:00", "capacity": 2},
                {"days": ["mon"], "hours": "12:00-20:00", "capacity": 1},
            ],
        }
    ]
    segments = pool_capacity_segments(make_model(pools=pools), "Clerks", MONDAY, DAY)

    assert segments == [
        (0.0, 360.0, 0),
        (360.0, 720.0, 2),
        (720.0, 840.0, 3),
        (840.0, 1200.0, 1),
        (1200.0, DAY, 0),
    ]


def test_mean_pool_capacity_typical_week():
    # 3 staff for 8 hours on 5 days; the Wednesday holiday is ignored.
    expected = 3 * 8 * 60 * 5 / WEEK_MINUTES

    assert mean_pool_capacity(make_model(), "Clerks") == pytest.approx(expected)


def test_arrival_rate_profiles_multiply():
    stream = {
        "name": "Walk-ins",
        "start": "Serve",
        "rate_per_hour": 6,
        "hour_profile": [0.0] * 9 + [2.0] + [1.0] * 14,
        "weekday_profile": {"tue": 0.5},
    }
    segments = arrival_rate_segments(
        make_model(arrivals=[stream]), "Walk-ins", MONDAY, 2 * DAY
    )

    rates = {start: rate for start, _, rate in segments}
    assert rates[0.0] == 0.0
    assert rates[9 * 60.0] == pytest.approx(0.2)
    assert rates[10 * 60.0] == pytest.approx(0.1)
    assert rates[DAY + 9 * 60.0] == pytest.approx(0.1)


def test_arrival_rate_open_hours_only():
    stream = {
        "name": "Walk-ins",
        "start": "Serve",
        "rate_per_hour": 6,
        "open_hours_only": True,
    }
    model = make_model(arrivals=[stream])

    mean = mean_arrival_rate_per_minute(model, "Walk-ins")

    assert mean == pytest.approx(0.1 * 8 * 60 * 5 / WEEK_MINUTES)


def test_add_working_minutes_skips_night_and_weekend():
    calendar = make_model().calendar
    friday_afternoon = 4 * DAY + 15 * 60

    end = add_working_minutes(calendar, MONDAY, friday_afternoon, 120)

    assert end == 7 * DAY + 9 * 60  # Monday 09:00


def test_add_working_minutes_skips_holiday():
    calendar = make_model().calendar
    tuesday_afternoon = DAY + 15 * 60

    end = add_working_minutes(calendar, MONDAY, tuesday_afternoon, 120)

    assert end == 3 * DAY + 9 * 60  # Thursday 09:00


def test_add_working_minutes_never_open_raises():
    calendar = Calendar(hours={})

    with pytest.raises(ValueError, match="no open hours"):
        add_working_minutes(calendar, MONDAY, 0.0, 10.0)


def test_off_duty_minutes_counts_zero_staff():
    segments = [(0.0, 480.0, 0), (480.0, 960.0, 3), (960.0, DAY, 0)]

    assert off_duty_minutes(segments, 400.0, 500.0) == 80.0
    assert off_duty_minutes(segments, 500.0, 900.0) == 0.0
    assert off_duty_minutes(segments, 900.0, 1000.0) == 40.0
    assert off_duty_minutes(segments, 0.0, DAY) == 480.0 + 480.0
