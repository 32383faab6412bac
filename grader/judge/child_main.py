"""Entry point of a judge started as a fresh interpreter (platforms without ``fork``): the job comes on stdin."""

import json
import sys

from grader.judge.child import ChildJob, run_child

if __name__ == "__main__":
    fields = json.loads(sys.stdin.read())
    fields["protected"] = tuple(fields.get("protected", ()))
    run_child(ChildJob(**fields))
