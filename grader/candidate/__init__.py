"""The candidate's side of the kit: the `fastlings` practice loop (list, check, hint, watch, serve, reset, submit)."""
