"""Small permit-counter models written inline for the app, table and redesign tests."""

from __future__ import annotations

from workbench.loading import parse_model
from workbench.model import ProcessModel

PERMIT_YAML = """
name: Permit counter
time_unit: minutes
lanes:
  - {name: Front desk}
  - {name: Planning}
  - {name: Customer, kind: customer}
pools:
  - {name: Clerks, capacity: 2, cost_per_hour: 40}
  - {name: Planners, capacity: 1, cost_per_hour: 55}
arrivals:
  - name: Walk-ins
    start: Take application
    rate_per_hour: 3
    hour_profile: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
                   1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
steps:
  - name: Take application
    lane: Front desk
    pool: Clerks
    value_class: VA
    touchpoint: true
    duration: {dist: triangular, min: 5, mode: 8, max: 15}
    next: Copy file
  - name: Copy file
    lane: Front desk
    pool: Clerks
    duration: {dist: fixed, value: 4}
    next: Complete?
  - name: Complete?
    kind: decision
    branches:
      - {to: Review plans, probability: 0.8, label: complete}
      - {to: Wait for documents, probability: 0.2, label: missing}
  - name: Wait for documents
    kind: wait
    lane: Customer
    wait_for: customer
    duration: {dist: exponential, mean: 120}
    next: Review plans
  - name: Review plans
    lane: Planning
    pool: Planners
    value_class: VA
    pca: 90
    duration: {dist: triangular, min: 10, mode: 15, max: 30}
    parallel: {branches: [Fire check, Zoning check], join: Issue permit}
  - name: Fire check
    lane: Planning
    pool: Planners
    value_class: BVA
    duration: {dist: fixed, value: 5}
    next: Issue permit
  - name: Zoning check
    lane: Planning
    pool: Planners
    value_class: BVA
    duration: {dist: uniform, low: 3, high: 7}
    next: Issue permit
  - name: Issue permit
    lane: Front desk
    pool: Clerks
    value_class: VA
    touchpoint: true
    duration: {dist: fixed, value: 3}
    end: resolved
"""


def permit_model() -> ProcessModel:
    """Return the inline permit-counter model."""
    return parse_model(PERMIT_YAML, "permit counter")
