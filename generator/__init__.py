"""runbook-docs: YAML runbooks -> site, comms and executable checks."""

__version__ = "0.1.0"
