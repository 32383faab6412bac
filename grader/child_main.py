"""Entry point of a grading child started as a fresh interpreter (platforms without ``fork``)."""

import json
import sys

from grader.child import ChildJob, run_child

if __name__ == "__main__":
    run_child(ChildJob(**json.loads(sys.argv[1])))
