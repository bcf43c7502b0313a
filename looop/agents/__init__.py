"""The agent CLIs: their presets and running one."""
