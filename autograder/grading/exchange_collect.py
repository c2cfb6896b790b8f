"""``nbgrader collect`` that never takes a submission one student made in another's name.

nbgrader's exchange names a submission ``inbound/<student_id>+<assignment>+<timestamp>+<random>``
and collects the latest one per student id. Everyone may create entries in ``inbound/`` (that is
how students submit), so a student can create ``inbound/alice+01_neuron+<later time>+x``: nbgrader
then only warns ("cheating attempt?", ``CollectApp.check_owner``) and collects it as Alice's last
submission, replacing her work. :class:`OwnerCheckedCollect` leaves out every entry whose owner is
not the Unix user its name claims, before the latest one is chosen, and says so. Where student ids
are not Unix users (a hub whose every user is ``jovyan``), nothing can be told from the owner and
every entry is collected as nbgrader does.
"""

from __future__ import annotations

import os
import pwd
from typing import Any

from nbgrader.exchange.default.collect import ExchangeCollect


def _forged(path, student_id):
    """True when ``student_id`` is a Unix user who does not own ``path``."""
    try:
        uid = pwd.getpwnam(student_id).pw_uid
    except KeyError:  # not a Unix user: the owner tells nothing
        return False
    try:
        return os.lstat(path).st_uid != uid
    except OSError:
        return True


class OwnerCheckedCollect(ExchangeCollect):
    """nbgrader's collect, without the submissions made in another student's name."""

    def _path_to_record(self, path):
        record = super()._path_to_record(path)
        record["forged"] = _forged(path, record["username"])
        if record["forged"]:
            self.log.error("not collected: %s claims to be %s's submission but %s owns it",
                           path, record["username"], _owner(path))
        return record

    def _sort_by_timestamp(self, records):
        genuine = [r for r in records if not r.get("forged")]
        return super()._sort_by_timestamp(genuine or records)  # forged only: dropped below

    def copy_files(self) -> Any:
        self.src_records = [r for r in self.src_records if not r.get("forged")]  # type: ignore[has-type]
        return super().copy_files()


def _owner(path):
    try:
        return pwd.getpwuid(os.lstat(path).st_uid).pw_name
    except (KeyError, OSError):
        return "an unknown user"
