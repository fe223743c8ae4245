"""Writes of hearings, by concern: ``scheduling`` (排期, notices, reminders), ``room`` (open,
join, admit, close), ``control`` (the judge's controls), ``attendance``, ``recording``,
``publicity`` (public hearings and the live switch), ``async_trial``."""
