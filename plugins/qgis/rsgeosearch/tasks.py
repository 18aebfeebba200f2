"""Runs a blocking client call in QGIS's task manager so the map and the dock stay responsive.

``run`` executes on a worker thread and only does network I/O and JSON parsing; ``finished`` runs on the
main thread and is where layers are built and messages shown (Qt objects that belong to the GUI thread
must not be touched from ``run``).
"""

from qgis.core import QgsFeedback, QgsTask

from .client import ApiError, Cancelled


class ApiTask(QgsTask):
    def __init__(self, description, work, on_success, on_error):
        """``work(feedback)`` runs in the background and returns a value for ``on_success(value)``;
        any failure reaches ``on_error(ApiError)``. Both callbacks run on the main thread."""
        super().__init__(description, QgsTask.CanCancel)
        self._work = work
        self._on_success = on_success
        self._on_error = on_error
        self._feedback = QgsFeedback()
        self.value = None
        self.error = None
        self.done = False

    def cancel(self):
        self._feedback.cancel()
        super().cancel()

    def run(self):
        try:
            self.value = self._work(self._feedback)
            return True
        except ApiError as e:
            self.error = e
        except Exception as e:  # noqa: BLE001 - a bug or bad document must reach the message bar, not kill QGIS
            self.error = ApiError("{}: {}".format(type(e).__name__, e))
        return False

    def finished(self, result):
        try:
            if result and self.error is None:
                self._on_success(self.value)
            else:
                error = self.error or Cancelled("The request was cancelled")
                self._on_error(error)
        except Exception as e:  # noqa: BLE001
            self._on_error(ApiError("{}: {}".format(type(e).__name__, e)))
        finally:
            self.done = True
