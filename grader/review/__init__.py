"""``grade review`` (a local web app over a gradebook) and ``grade feedback`` (pages for the students)."""
