"""Where results are kept: the gradebook and everything a submission passes through on its way in and out of it."""
