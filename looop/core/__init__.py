"""The floor: paths, files, outside text, ids, stamps, knobs, colour and log lines, child processes."""
