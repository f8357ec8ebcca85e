"""Calibration of process models from operational data, such as call-centre logs."""
