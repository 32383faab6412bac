"""The commands ``grade review`` and ``grade feedback`` (added to ``grade`` by grader/cli/__init__.py)."""

from __future__ import annotations

import getpass
import secrets
import socket
from pathlib import Path

import click

from grader.book.gradebook import Gradebook, GradebookError
from grader.cli.options import assignment_option, gradebook_option

__all__ = ["feedback_command", "review_command"]

_GRADEBOOK = gradebook_option("The gradebook to read (and, for review, to write the review into).")
_ASSIGNMENT = assignment_option()


def _open(path: Path, assignment: str) -> Gradebook:
    if not path.is_file():
        raise click.UsageError(f"{path} does not exist: grade a class first (grade CLASS --gradebook ...)")
    try:
        book = Gradebook(path, assignment)
    except GradebookError as exc:
        raise click.UsageError(str(exc)) from exc
    if not book.latest():
        book.close()
        raise click.UsageError(f"{path} holds no submission of assignment {assignment!r}")
    return book


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@click.command("review", short_help="Review a class by hand in the browser: rubric, comments, adjustments.")
@_GRADEBOOK
@_ASSIGNMENT
@click.option("--rubric", "rubric_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="The port on 127.0.0.1 [default: a free one].")
@click.option("--anonymous", is_flag=True, help="Hide the students' names while reviewing.")
@click.option("--reviewer", default=None, help="Who signs the changes [default: your user name].")
def review_command(
    gradebook_path: Path, assignment: str, rubric_path: Path | None, port: int, anonymous: bool, reviewer: str | None
) -> None:
    """Serve the review app on 127.0.0.1 for one assignment of a gradebook. It prints a URL with a random token;
    only requests carrying it are answered. The review is stored in the gradebook, beside the auto results.

    \b
    Example:
      grade review --gradebook fall.sqlite3 --assignment week3 --rubric week3-rubric.toml
    """
    try:
        import uvicorn

        from grader.review.app import ReviewConfig, create_app
    except ImportError as exc:  # Jinja2 comes with the grader extra
        raise click.UsageError(f"grade review needs {exc.name}: pip install -e '.[grader]' -c constraints.txt") from exc
    from grader.book.review import ReviewBook, RubricError, load_rubric_file

    who = reviewer or getpass.getuser()
    with _open(gradebook_path, assignment) as book:
        if rubric_path is not None:
            known = {q.id for sub in book.latest() for q in sub.result.questions}
            try:
                items = load_rubric_file(rubric_path, known)
            except RubricError as exc:
                raise click.UsageError(str(exc)) from exc
            added = ReviewBook(book._db, book.assignment, who, gradebook_path).add_rubric_items(items)
            kept = "items already in the gradebook keep their edits"
            click.echo(f"rubric: {added} new item(s) of {len(items)} from {rubric_path} ({kept})")
    token = secrets.token_urlsafe(32)
    port = port or _free_port()
    app = create_app(ReviewConfig(gradebook_path, assignment, who, token, anonymous))
    click.echo(f"Reviewing {assignment!r} of {gradebook_path} as {who}. Open, in a browser on this machine:")
    click.echo(f"    http://127.0.0.1:{port}/?token={token}")
    click.echo("Ctrl-C stops the app; every save is already in the gradebook.")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


@click.command("feedback", short_help="Write one feedback page per student, for the students.")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@_GRADEBOOK
@_ASSIGNMENT
@click.option("--show-tests", is_flag=True, help="Also name the hidden tests that failed, with their messages.")
def feedback_command(out: Path, gradebook_path: Path, assignment: str, show_tests: bool) -> None:
    """One HTML page per student in OUT/: the final score, their code, the contract sentences their answer broke,
    the rubric items and comments meant for them. Nothing private to staff; no hidden test names unless
    --show-tests.

    \b
    Example:
      grade feedback feedback/ --gradebook fall.sqlite3 --assignment week3
    """
    try:
        from grader.review.feedback import FeedbackFolderError, write_feedback
    except ImportError as exc:
        need = f"grade feedback needs {exc.name}: pip install -e '.[grader]' -c constraints.txt"
        raise click.UsageError(need) from exc
    with _open(gradebook_path, assignment) as book:
        submissions = book.latest()
    try:
        written = write_feedback(submissions, out, show_tests)
    except FeedbackFolderError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"{len(written)} feedback page(s) in {out}")
