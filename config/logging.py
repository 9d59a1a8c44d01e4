import json
import logging


class JsonFormatter(logging.Formatter):
    """One JSON object per line, so log shippers need no parsing rules."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class DisallowedHostFilter(logging.Filter):
    """Django logs every bad Host header at ERROR with a full traceback: a scanner floods the
    log. Keep one WARNING line, without the traceback, per host per minute per process."""

    INTERVAL = 60.0

    def __init__(self):
        super().__init__()
        self._last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        import time

        message = record.getMessage()[:300]
        now = time.monotonic()
        if now - self._last.get(message, -self.INTERVAL) < self.INTERVAL:
            return False
        if len(self._last) > 1000:  # many different hosts: forget, do not grow
            self._last.clear()
        self._last[message] = now
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg, record.args = message, None
        return True
