import logging
import time

logger = logging.getLogger("carfaults.request")


class RequestLogMiddleware:
    """Logs one structured line per request: method, path, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "request",
                extra={
                    "fields": {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "htmx": request.headers.get("HX-Request") == "true",
                    }
                },
            )
        return response
