"""Access-to-information requests, citizen proposals and participatory budgeting."""
