"""The session's RunEngine: bluesky's, with each collected event page checked against
event-model's schema on its first row.

event-model validates an event page with jsonschema, which walks every element of every
column: about 0.5 ms per page plus about 100 us per point for six columns (measured with
event-model 1.24, jsonschema 4.26). On a long cycling run that is a third of the session's
time per point, and 6-7 s of the RunEngine's thread in ``operando demo``.

Along the path bluesky takes when it collects a flyer's pages (``RunBundler.collect``), only
``data`` and ``timestamps`` come from the device, and the schema accepts any element in
them (``items: {}``); ``time``, ``seq_num`` and ``uid`` are made by event-model itself, of
one type along the page, after it has checked that every column has the same length. So
the page cut to its first row gets the same verdict from event-model's own validator as the
whole page. :class:`FirstRowPages` does that, and event-model's key check (data,
timestamps and the descriptor's data keys alike) on the whole page.
A page composed with anything else given (seq_num, uid, time, filled) is validated whole.
"""

from __future__ import annotations

from typing import Any

from bluesky import RunEngine
from bluesky.bundlers import RunBundler
from event_model import (
    DocumentNames,
    EventModelValidationError,
    keys_without_stream_keys,
    schema_validators,
)

PAGE_COLUMNS = ("time", "seq_num", "uid")  # the page's own arrays
PAGE_MAPPINGS = ("data", "timestamps", "filled")  # key -> array


class FirstRowPages:
    """Composes event pages as event-model's ``ComposeEventPage`` (``compose``) does,
    validating the page's first row against the schema (same verdict, see the module)."""

    def __init__(self, compose):
        self.compose = compose

    def __call__(self, data: dict, timestamps: dict, seq_num=None, filled=None, uid=None,
                 time=None, validate: bool = True) -> dict:  # fmt: skip
        given = (seq_num, filled, uid, time)
        if not validate or any(x is not None for x in given):
            return self.compose(data, timestamps, seq_num=seq_num, filled=filled, uid=uid,
                                time=time, validate=validate)  # fmt: skip
        doc = self.compose(data, timestamps, validate=False)
        try:
            self._validate(doc, data, timestamps)
        except Exception:
            # event-model counts a page only once it is valid; so does this.
            self.compose.event_counters[self.compose.descriptor["name"]] -= len(doc["seq_num"])
            raise
        return doc

    def _validate(self, doc: dict, data: dict, timestamps: dict) -> None:
        schema_validators[DocumentNames.event_page].validate(first_row(doc))
        data_keys = self.compose.descriptor["data_keys"]
        described = set(keys_without_stream_keys(data_keys, data_keys))
        if not (
            described
            == set(keys_without_stream_keys(data, data_keys))
            == set(keys_without_stream_keys(timestamps, data_keys))
        ):
            raise EventModelValidationError(
                'These sets of keys must match (other than "STREAM:" keys):\n'
                f"event['data'].keys(): {data.keys()}\n"
                f"event['timestamps'].keys(): {timestamps.keys()}\n"
                f"descriptor['data_keys'].keys(): {data_keys.keys()}\n"
            )


def first_row(page: dict) -> dict:
    """The page with every array cut to its first element, keeping its type (an empty
    page stays empty; a value that cannot be cut stays whole, for the schema to judge)."""
    row: dict[str, Any] = dict(page)
    for key in PAGE_COLUMNS:
        if key in row:
            row[key] = _head(row[key])
    for key in PAGE_MAPPINGS:
        if isinstance(row.get(key), dict):
            row[key] = {k: _head(v) for k, v in row[key].items()}
    return row


def _head(value):
    try:
        return value[:1]
    except Exception:  # noqa: BLE001 - not a sequence: the schema refuses it as it is
        return value


class FirstRowPageBundler(RunBundler):
    """bluesky's RunBundler, composing collected pages with :class:`FirstRowPages`."""

    async def open_run(self, msg):
        result = await super().open_run(msg)
        compose_descriptor = self._compose_descriptor

        def descriptor(*args, **kwargs):
            bundle = compose_descriptor(*args, **kwargs)
            bundle.compose_event_page = FirstRowPages(bundle.compose_event_page)
            return bundle

        self._compose_descriptor = descriptor
        return result


class SessionRunEngine(RunEngine):
    """bluesky's RunEngine with :class:`FirstRowPageBundler` (its ``RunBundler`` class
    attribute is bluesky's place for this)."""

    RunBundler = FirstRowPageBundler
