"""Schedules and durations."""
