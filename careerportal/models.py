from django.db import models


class LoginThrottle(models.Model):
    """Log-in attempts counted under one key, an account or an address, since the first of them (careerportal.auth)."""

    key = models.CharField(max_length=80, primary_key=True)
    attempts = models.PositiveIntegerField()
    window_start = models.DateTimeField()

    class Meta:
        # Pruning the rows whose window has passed, after each successful log-in (careerportal.auth).
        indexes = [models.Index(fields=["window_start"], name="loginthrottle_window_start")]

    def __str__(self) -> str:
        return f"{self.key}: {self.attempts} since {self.window_start:%Y-%m-%d %H:%M}"
