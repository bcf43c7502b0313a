"""SENSE: running sensors, their cache and state, and the progress line."""
