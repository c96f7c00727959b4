"""The orchestrators: one module per stage, each returning plain results, never printing or exiting."""
