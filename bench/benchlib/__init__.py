"""The code behind `bench/seed` and `bench/run`: not part of the app, never imported by it."""
