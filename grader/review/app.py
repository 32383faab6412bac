"""``grade review``: the human half of grading, as a local web app over one assignment of a gradebook.

Security, for an app that shows code written by strangers and writes marks:

- it binds 127.0.0.1 and answers only requests carrying its random token, given once in the URL printed at start
  (as Jupyter does) and then kept in a cookie (HttpOnly, SameSite=Strict); anything else gets a 403;
- every form carries a CSRF token derived from that token (HMAC), and a POST is refused (403) when the browser
  says it comes from another site (``Sec-Fetch-Site``) or another origin (``Origin``);
- every response carries the HTML report's Content-Security-Policy (no script, no external resource), and the
  pages are Jinja2 templates with autoescape on, so whatever a candidate wrote is shown as text.

Every page works without JavaScript; keyboard navigation uses ``accesskey`` links (n next question, p previous,
j next student, k previous student, u next unreviewed), which the policy allows as no script is needed.
Every save names the version of the review it was made on; a stale one gets a 409 page and nothing is written.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from grader.book.gradebook import Gradebook, StoredSubmission
from grader.book.review import (
    RECOMMENDATIONS,
    ReviewBook,
    ReviewError,
    StaleReview,
    needs_review,
    reviewed_count,
)
from grader.reports.html_page import CSP
from grader.review.common import bullets_broken, code_html, environment

__all__ = ["COOKIE", "ReviewConfig", "create_app", "csrf_token"]

COOKIE = "kit_review"
_SAFE_FETCH_SITES = {"same-origin", "none"}


@dataclass(frozen=True)
class ReviewConfig:
    gradebook: Path
    assignment: str
    reviewer: str
    token: str
    anonymous: bool = False


def csrf_token(token: str) -> str:
    """The token every form carries: tied to the session's token, useless without it."""
    return hmac.new(token.encode(), b"grade review csrf", hashlib.sha256).hexdigest()


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def create_app(config: ReviewConfig) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    env = environment()
    csrf = csrf_token(config.token)

    def render(template: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("csrf", csrf)
        context.setdefault("anonymous", config.anonymous)
        context.setdefault("assignment", config.assignment)
        return HTMLResponse(env.get_template(template).render(**context), status_code=status)

    def message_page(status: int, title: str, message: str, back: str = "/") -> HTMLResponse:
        return render("message.html", status, title=title, message=message, back=back)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        given = request.query_params.get("token")
        by_url = given is not None and hmac.compare_digest(given, config.token)
        cookie = request.cookies.get(COOKIE, "")
        if by_url or hmac.compare_digest(cookie, config.token):
            response = await call_next(request)
            if by_url:
                response.set_cookie(COOKIE, config.token, httponly=True, samesite="strict", path="/")
        else:
            response = message_page(
                403, "Forbidden", "This review app needs its token: open the URL `grade review` printed."
            )
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Frame-Options"] = "DENY"
        # The token may sit in the URL: no other site sees it (and same-origin posts keep their Origin header).
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.exception_handler(_Refused)
    async def refused(request: Request, exc: _Refused) -> HTMLResponse:
        return message_page(exc.status, "Refused" if exc.status == 403 else "Not saved", exc.message)

    async def checked_form(request: Request) -> FormData:
        """The posted form, refused unless it comes from this app's own pages."""
        site = request.headers.get("sec-fetch-site")
        if site is not None and site not in _SAFE_FETCH_SITES:
            raise _Refused(403, "Refused: the form was sent from another site.")
        origin = request.headers.get("origin")
        if origin is not None:
            parts = urlsplit(origin)
            if parts.netloc != request.headers.get("host", "") or parts.scheme != request.url.scheme:
                raise _Refused(403, "Refused: the form was sent from another origin.")
        form = await request.form()
        sent = form.get("csrf")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf):
            raise _Refused(403, "Refused: the form's CSRF token is missing or wrong (reload the page).")
        return form

    @contextmanager
    def opened() -> Iterator[tuple[Gradebook, ReviewBook]]:
        with Gradebook(config.gradebook, config.assignment) as book:
            yield book, ReviewBook(book._db, book.assignment, config.reviewer, config.gradebook)

    def label(index: int, sub: StoredSubmission) -> str:
        return f"Student {index + 1}" if config.anonymous else sub.name

    def student(book: Gradebook, n: int) -> tuple[list[StoredSubmission], StoredSubmission]:
        subs = book.latest()
        if not 0 <= n < len(subs):
            raise _Refused(404, f"There is no student {n + 1} in this assignment.")
        return subs, subs[n]

    def version_of(form: FormData) -> int:
        try:
            return int(str(form.get("version", "")))
        except ValueError as exc:
            raise _Refused(400, "The form has no version of the review: reload the page.") from exc

    def text_of(form: FormData, name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    def saving(action: Any, back: str, form: FormData) -> Response:
        try:
            action()
        except StaleReview as exc:
            kept = {k: v for k, v in form.multi_items() if k not in ("csrf", "version") and isinstance(v, str)}
            return render("conflict.html", 409, what=exc.what, seen=exc.seen, now=exc.now, kept=kept, back=back)
        except ReviewError as exc:
            return message_page(400, "Not saved", str(exc), back)
        return RedirectResponse(back, status_code=303)

    def first_unreviewed(subs: list[StoredSubmission]) -> str | None:
        for n, sub in enumerate(subs):
            done = sub.review.questions_reviewed if sub.review else {}
            for qid in needs_review(sub):
                if qid not in done:
                    return f"/s/{n}/{qid}"
        return None

    # ------------------------------------------------------------------------------------------------ pages

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        with opened() as (book, _):
            subs = book.latest()
        rows = []
        for n, sub in enumerate(subs):
            done, wanted = reviewed_count(sub)
            rows.append({"n": n, "label": label(n, sub), "sub": sub, "done": done, "wanted": wanted})
        students_done = sum(1 for r in rows if r["wanted"] and r["done"] == r["wanted"])
        students_wanted = sum(1 for r in rows if r["wanted"])
        return render(
            "index.html",
            rows=rows,
            students_done=students_done,
            students_wanted=students_wanted,
            next_unreviewed=first_unreviewed(subs),
        )

    @app.get("/next")
    def next_unreviewed() -> Response:
        with opened() as (book, _):
            target = first_unreviewed(book.latest())
        return RedirectResponse(target or "/", status_code=303)

    @app.get("/s/{n}")
    def student_page(n: int) -> Response:
        with opened() as (book, _):
            _, sub = student(book, n)
        wanted = needs_review(sub) or [q.id for q in sub.result.questions]
        if not wanted:
            raise _Refused(404, "This student has no graded question.")
        return RedirectResponse(f"/s/{n}/{wanted[0]}", status_code=303)

    @app.get("/s/{n}/{qid}", response_class=HTMLResponse)
    def question_page(n: int, qid: str) -> HTMLResponse:
        with opened() as (book, reviews):
            subs, sub = student(book, n)
            rubric = reviews.rubric(qid)
        q = next((q for q in sub.result.questions if q.id == qid), None)
        if q is None:
            raise _Refused(404, f"This student has no result for {qid}.")
        review = sub.review
        assert review is not None
        ids = [x.id for x in sub.result.questions]
        at = ids.index(qid)
        diff, source = code_html(sub, qid, label(n, sub))
        applied = {i.id for i in review.applied if i.question_id == qid}
        nav = {
            "prev_q": f"/s/{n}/{ids[at - 1]}" if at > 0 else None,
            "next_q": f"/s/{n}/{ids[at + 1]}" if at + 1 < len(ids) else None,
            "prev_s": f"/s/{n - 1}/{qid}" if n > 0 else None,
            "next_s": f"/s/{n + 1}/{qid}" if n + 1 < len(subs) else None,
        }
        return render(
            "question.html",
            n=n,
            label=label(n, sub),
            sub=sub,
            q=q,
            review=review,
            auto=review.auto_points.get(qid, q.points),
            rubric=rubric,
            applied=applied,
            bullets=bullets_broken(q),
            diff=diff,
            source=source,
            questions=sub.result.questions,
            reviewed_q=review.questions_reviewed,
            flags_review=review.flags_reviewed.get(qid),
            comments=[c for c in review.comments if c.question_id == qid],
            adjustments=[a for a in review.adjustments if a.question_id == qid],
            recommendations=RECOMMENDATIONS,
            progress=reviewed_count(sub),
            nav=nav,
            next_unreviewed="/next",
        )

    @app.get("/rubric/{qid}", response_class=HTMLResponse)
    def rubric_page(qid: str) -> HTMLResponse:
        with opened() as (book, reviews):
            subs = book.latest()
            items = [(item, reviews.applied_count(qid, item.id)) for item in reviews.rubric(qid)]
        students = [
            {"n": n, "label": label(n, s), "applied": {i.id for i in s.review.applied if i.question_id == qid}}
            for n, s in enumerate(subs)
            if s.review is not None and any(q.id == qid for q in s.result.questions)
        ]
        return render("rubric.html", qid=qid, items=items, students=students)

    # ------------------------------------------------------------------------------------------------ saves

    def _subject(n: int) -> str:
        with opened() as (book, _):
            return student(book, n)[1].name

    @app.post("/s/{n}/{qid}/rubric")
    async def save_rubric(n: int, qid: str, request: Request) -> Response:
        form = await checked_form(request)
        name, chosen = _subject(n), {v for v in form.getlist("item") if isinstance(v, str)}
        with opened() as (_, reviews):
            return saving(lambda: reviews.set_rubric(name, qid, chosen, version_of(form)), f"/s/{n}/{qid}", form)

    @app.post("/s/{n}/{qid}/comment")
    async def save_comment(n: int, qid: str, request: Request) -> Response:
        form = await checked_form(request)
        name, to_student = _subject(n), text_of(form, "audience") != "staff"
        with opened() as (_, reviews):
            return saving(
                lambda: reviews.comment(name, qid, text_of(form, "text"), to_student, version_of(form)),
                f"/s/{n}/{qid}",
                form,
            )

    @app.post("/s/{n}/{qid}/adjust")
    async def save_adjustment(n: int, qid: str, request: Request) -> Response:
        form = await checked_form(request)
        name = _subject(n)
        try:
            points = float(text_of(form, "points"))
        except ValueError:
            wrong = "An adjustment is a number of points, such as -0.5 or 1."
            return message_page(400, "Not saved", wrong, f"/s/{n}/{qid}")
        with opened() as (_, reviews):
            return saving(
                lambda: reviews.adjust(name, qid, points, text_of(form, "reason"), version_of(form)),
                f"/s/{n}/{qid}",
                form,
            )

    @app.post("/s/{n}/{qid}/flags")
    async def save_flags(n: int, qid: str, request: Request) -> Response:
        form = await checked_form(request)
        name = _subject(n)
        with opened() as (_, reviews):
            return saving(
                lambda: reviews.review_flags(name, qid, text_of(form, "note"), version_of(form)), f"/s/{n}/{qid}", form
            )

    @app.post("/s/{n}/{qid}/reviewed")
    async def save_reviewed(n: int, qid: str, request: Request) -> Response:
        form = await checked_form(request)
        name, done = _subject(n), text_of(form, "reviewed") == "1"
        back = "/next" if done and text_of(form, "then") == "next" else f"/s/{n}/{qid}"
        with opened() as (_, reviews):
            return saving(lambda: reviews.mark_reviewed(name, qid, done, version_of(form)), back, form)

    @app.post("/s/{n}/{qid}/overall")
    async def save_overall(n: int, qid: str, request: Request) -> Response:
        form = await checked_form(request)
        name = _subject(n)
        with opened() as (_, reviews):
            return saving(
                lambda: reviews.set_overall(
                    name, text_of(form, "note"), text_of(form, "recommendation"), version_of(form)
                ),
                f"/s/{n}/{qid}",
                form,
            )

    @app.post("/rubric/{qid}/{item_id}/edit")
    async def edit_item(qid: str, item_id: str, request: Request) -> Response:
        form = await checked_form(request)
        try:
            points = float(text_of(form, "points"))
        except ValueError:
            return message_page(400, "Not saved", "An item's points are a number, such as -0.5.", f"/rubric/{qid}")
        with opened() as (_, reviews):
            return saving(
                lambda: reviews.edit_rubric_item(qid, item_id, text_of(form, "text"), points, version_of(form)),
                f"/rubric/{qid}",
                form,
            )

    @app.post("/rubric/{qid}/{item_id}/apply")
    async def apply_item(qid: str, item_id: str, request: Request) -> Response:
        form = await checked_form(request)
        with opened() as (book, reviews):
            subs = book.latest()
            chosen = {v for v in form.getlist("student") if isinstance(v, str)}
            names = [s.name for n, s in enumerate(subs) if str(n) in chosen]
            return saving(lambda: reviews.apply_item(names, qid, item_id), f"/rubric/{qid}", form)

    return app
