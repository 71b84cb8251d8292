"""The theme's templates compiled once per ``serve`` session, not once per rebuild.

``mkdocs serve`` loads the configuration again for every rebuild, and with it a new Jinja
environment that compiles Material's templates again (main, base and about thirty
partials) before it can render the one page that changed. The plugin instance outlives
those environments; this cache, kept on it, gives each new environment the compiled code.
Jinja keys each entry by the template's name and checks the checksum of its source, so an
edited template (an override in ``custom_dir``) is compiled again.
"""

from __future__ import annotations

from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

__all__ = ["CompiledTemplates"]


class CompiledTemplates(BytecodeCache):
    """Compiled templates in memory, for every environment it is given to."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def attach(self, env: Any) -> None:
        env.bytecode_cache = self

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
