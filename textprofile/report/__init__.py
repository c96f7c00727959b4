"""Reports people read: the last stage of the data flow.

In: a fitted model (``topics``) and its profile store. Out: ``reports/<name>/`` — index.html,
ldavis.html and one card per customer, self-contained and offline, every piece of comment text
escaped (Jinja2 autoescape; ``safe`` for the rest).
"""

from textprofile.core.lazy import lazy_exports

_EXPORTS = {
    "build_report_data": "textprofile.report.data",
    "write_report_folder": "textprofile.report.render",
}
__all__ = ["build_report_data", "write_report_folder"]
__getattr__ = lazy_exports(__name__, _EXPORTS)
