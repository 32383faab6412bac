"""Where a verdict is made: the runner, the judge child that runs the hidden tests, their pytest plugin, and the
bridge to app hosts."""
