"""Materials (材料): the documents customers upload for their filings.

- ``uploads``: what a file really is (by its first bytes, never its name), size and
  image checks, the per-request size guard.
- ``actions``: upload, replace and delete (one transaction, an audit row each).
- ``checklist``: which materials an application needs, and which are there.
- ``streams``: reading stored files in chunks (local disk or S3) for downloads and
  the integrity job.
- ``views`` / ``urls``: customer pages and downloads, staff inline viewers.
"""
