"""Q15 · File uploads (intermediate)

Question: how do you accept uploaded files in FastAPI, and how do you validate them before trusting them?

Write two upload routes on ``app`` that check every file and describe what they received.

Contract (the hidden tests check exactly this):

- [q15.1] ``POST /upload/`` takes one file in the multipart form field ``file`` and answers 200 with exactly
  ``{"filename": <name sent>, "content_type": <type the client declared>, "size": <bytes>,
  "sha256": <SHA-256 of the content, lowercase hex>}``. The name is reported as sent, in any script; the type is
  the whole declared value, as sent: its parameters and its case are kept (a file declared
  ``Text/Plain; charset=utf-8`` is reported with ``"content_type": "Text/Plain; charset=utf-8"``).
- [q15.2] Rules checked for every file, on both routes, each refused with its own status and a body of exactly
  ``{"detail": <non-empty message>}`` (the wording is free):
  * content type: the declared media type, ignoring parameters such as ``; charset=utf-8``, the spaces around
    it and its case (media types are case-insensitive: ``IMAGE/PNG`` is ``image/png``), must be one of
    ``ALLOWED_CONTENT_TYPES`` (``text/plain``, ``image/png``, ``image/jpeg``, ``application/pdf``), otherwise
    **415**;
  * an empty file (0 bytes) → **400**;
  * a file larger than ``MAX_FILE_SIZE`` = 1 MiB (1_048_576 bytes) → **413**; exactly 1 MiB is accepted.
  A file that breaks several rules may get the status of any rule it breaks. The limits hold for each file on
  its own (two files of 700 KiB together are fine).
- [q15.3] ``POST /uploads/`` takes several files, all in the repeated form field ``files``, and answers 200 with
  ``{"files": [<one object as above per file, in the order sent>], "count": <number of files>,
  "total_size": <sum of the sizes>}`` (exactly these three keys); every file sent is listed, the same file sent
  twice included. If any file breaks a rule, the whole request is refused with that file's status; when several
  files break rules, the status is that of the first of them in the order sent.
- [q15.4] A request without the expected form field answers 422 (FastAPI's own validation).

Run it: ``fastlings serve 15`` then
``curl -F "file=@notes.txt;type=text/plain" http://127.0.0.1:8000/upload/``
"""

import hashlib

from fastapi import FastAPI, HTTPException, UploadFile, status
from pydantic import BaseModel

MAX_FILE_SIZE = 1024 * 1024
ALLOWED_CONTENT_TYPES = frozenset({"text/plain", "image/png", "image/jpeg", "application/pdf"})

app = FastAPI()


class FileInfo(BaseModel):
    filename: str | None
    content_type: str | None
    size: int
    sha256: str


class UploadsInfo(BaseModel):
    files: list[FileInfo]
    count: int
    total_size: int


async def inspect_upload(file: UploadFile) -> FileInfo:
    media_type = (file.content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in ALLOWED_CONTENT_TYPES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, f"{file.filename}: content type {media_type!r} is not allowed"
        )
    content = await file.read(MAX_FILE_SIZE + 1)  # never more than one byte past the limit
    if not content:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{file.filename}: the file is empty")
    if len(content) > MAX_FILE_SIZE:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"{file.filename}: the file is larger than {MAX_FILE_SIZE} bytes"
        )
    return FileInfo(
        filename=file.filename,
        content_type=file.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


@app.post("/upload/")
async def upload_file(file: UploadFile) -> FileInfo:
    return await inspect_upload(file)


@app.post("/uploads/")
async def upload_files(files: list[UploadFile]) -> UploadsInfo:
    infos = [await inspect_upload(file) for file in files]
    return UploadsInfo(files=infos, count=len(infos), total_size=sum(info.size for info in infos))
