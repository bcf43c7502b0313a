"""The beat: gates, world hash, prompt, act, record; the pulse that repeats it."""
