"""Changes of state for columns: planned skips on the columns' calendar."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from ..calendar import check_slot_date, column_anchor
from ..models import ColumnSkip

SKIP_ADD_PERMISSION = "commentary.add_columnskip"
SKIP_DELETE_PERMISSION = "commentary.delete_columnskip"


@transaction.atomic
def column_skip_mark(*, column, date, user, note=""):
    """Mark ``date`` as a planned skip of ``column``: no installment is expected that day.

    ``date`` must be one of the column's due dates (past ones too: recording a skipped week
    afterwards clears its "late" flag). Marking a date already skipped changes nothing and
    returns the existing skip.
    """
    if not user.has_perm(SKIP_ADD_PERMISSION):
        raise PermissionDenied("Only editors may plan skips.")
    check_slot_date(column, date, column_anchor(column))
    existing = ColumnSkip.objects.filter(column=column, date=date).first()
    if existing is not None:
        return existing
    skip = ColumnSkip(column=column, date=date, note=note.strip(), created_by=user)
    skip.full_clean()
    try:
        with transaction.atomic():
            skip.save()
    except IntegrityError:
        # Someone marked the same date a moment ago: theirs stands.
        return ColumnSkip.objects.get(column=column, date=date)
    return skip


@transaction.atomic
def column_skip_clear(*, column, date, user):
    """Undo the planned skip of ``column`` on ``date``; return it, or ``None`` if there was
    none (undoing twice is harmless)."""
    if not user.has_perm(SKIP_DELETE_PERMISSION):
        raise PermissionDenied("Only editors may undo planned skips.")
    skip = ColumnSkip.objects.filter(column=column, date=date).first()
    if skip is not None:
        skip.delete()
    return skip
