"""What the Settings and History tabs call: history, sync, re-evaluation, devices (each on a thread)."""
