"""A second answer to q15, written blind from the contract in exercises/q15_file_uploads.py."""

import hashlib
from typing import Annotated

from fastapi import FastAPI, File, HTTPException, UploadFile, status
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


class UploadRejected(HTTPException):
    """An upload that breaks one of the rules; answered as {"detail": ...} with the rule's status."""


class UploadInspector:
    """Checks one upload against the rules and describes it, reading it in chunks.

    The declared type is checked before any byte is read; the content is then streamed through SHA-256
    and counted, and reading stops as soon as the file is known to be too large.
    """

    CHUNK_SIZE = 64 * 1024

    def __init__(self, max_size: int = MAX_FILE_SIZE, allowed_types: frozenset[str] = ALLOWED_CONTENT_TYPES):
        self.max_size = max_size
        self.allowed_types = allowed_types

    @staticmethod
    def media_type(declared: str | None) -> str:
        # "Text/Plain; charset=utf-8" -> "text/plain"
        return (declared or "").split(";", 1)[0].strip().lower()

    async def inspect(self, upload: UploadFile) -> FileInfo:
        media_type = self.media_type(upload.content_type)
        if media_type not in self.allowed_types:
            raise UploadRejected(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                f"{upload.filename!r}: content type {media_type or 'missing'!r} is not allowed; "
                f"allowed: {', '.join(sorted(self.allowed_types))}",
            )

        digest = hashlib.sha256()
        size = 0
        while chunk := await upload.read(self.CHUNK_SIZE):
            size += len(chunk)
            if size > self.max_size:
                raise UploadRejected(
                    status.HTTP_413_CONTENT_TOO_LARGE,
                    f"{upload.filename!r} is larger than the limit of {self.max_size} bytes",
                )
            digest.update(chunk)

        if size == 0:
            raise UploadRejected(status.HTTP_400_BAD_REQUEST, f"{upload.filename!r} is empty")

        return FileInfo(
            filename=upload.filename,
            content_type=upload.content_type,
            size=size,
            sha256=digest.hexdigest(),
        )


inspector = UploadInspector()


@app.post("/upload/")
async def upload_one(file: Annotated[UploadFile, File(description="the file to check")]) -> FileInfo:
    return await inspector.inspect(file)


@app.post("/uploads/")
async def upload_many(files: Annotated[list[UploadFile], File(description="the files to check")]) -> UploadsInfo:
    described = [await inspector.inspect(upload) for upload in files]  # the first bad file refuses all
    return UploadsInfo(files=described, count=len(described), total_size=sum(info.size for info in described))
