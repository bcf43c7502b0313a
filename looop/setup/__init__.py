"""Making a data dir and its config: seeding, the starter catalog, first run, preflight, the service unit."""
