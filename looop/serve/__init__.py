"""`looop serve`: the web inbox over the same files (asks, fleet, today, playbook).

Optional: Starlette, uvicorn and Jinja2 come with `looop[serve]` and are
imported only here. Every value from the data dir is outside text: the pages
show it escaped, the JSON carries it as data; no request waits on a FIFO.
"""
