"""``python -m grader.exports ...``: the steps the platforms' scripts run (see ``grader.exports.main``)."""

import sys

from grader.exports import main

sys.exit(main())
