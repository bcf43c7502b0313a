"""What the loop keeps: journal, events, the cost ledger, git history, attention, failures and spend."""
