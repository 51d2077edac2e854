"""One module per rayo-conformance subcommand."""
