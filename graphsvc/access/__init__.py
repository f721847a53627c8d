"""Who may see and do what: accounts, invitations, the audit log, rate limits and the visibility
of confidential fields. Below the web and the CLI, beside the actions (docs/design.md §6)."""
