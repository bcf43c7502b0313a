"""Watching the fleet: replay session logs through a terminal emulator.

`screen` (the emulator), `logtail` (reading logs from the side), `fleetview`
(the session table) and `app` (the textual view). Imported only by `watch` and
`screenshot`: nothing on the beat's path loads pyte or textual.
"""
