"""One module per verb: each verb is a plain function returning an exit code."""
