"""An auto-graded FastAPI interview-exercise kit: the grader and its catalogue of questions.

One folder per role, on two sides of a wall (``tests/kit/test_boundary.py`` holds it):

- ``judge/``: where a verdict is made (runner, judge process, pytest plugin, batch, CPU time; ``bridge/`` to hosts);
- ``host/``: where candidate code runs (the app host, its zygote, the kit helpers beside a module);
- ``sandbox/``: what confines it (Landlock, seccomp, namespaces, cgroups, capabilities, rlimits);
- ``protocol.py``: the messages both sides speak; ``loading.py``: loads a module from its path (the only code that
  executes one); ``weaken.py``: test-only switches that take one defence away;
- ``book/``: where results are kept (gradebook, submissions, scoring, results, assignments);
- ``scan/``: reads the source, never runs it (integrity, similarity); ``text/``: safe text, terminal, words;
- ``reports/``, ``exports/``, ``review/``: where kept results are shown (reports, LMS exports, the review app);
- ``kit/``: the kit itself (folders, catalogue, contracts, dev-check, hints, pack); ``cli/``: the ``grade`` command;
- ``candidate/``: fastlings, the candidate's practice loop.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
