"""An auto-graded FastAPI interview-exercise kit: the grader and its catalogue of questions."""

__version__ = "0.1.0"
__all__ = ["__version__"]
