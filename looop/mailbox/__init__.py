"""The mailbox: how the human enters the loop from anywhere.

A worker *asks* and blocks until the human *answers*; the human *tells* a
live worker something without blocking it; `wait` sleeps until the loop
needs the human, and notifications find them wherever they are. Everything
is plain files (store.py), so any client, from a phone to another agent, can
take part. Nothing here runs on the hot path except reading names.
"""
