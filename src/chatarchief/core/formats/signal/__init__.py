"""Signal, in the three forms a custodian can hand it in.

- `android`: the legacy local backup `signal-YYYY-MM-DD-HH-MM-SS.backup` (FORMATS.md §2a);
- `v2`: the on-device backup folder Signal writes since 2025 (§2b);
- `desktop`: a Signal Desktop profile folder (§2c).

The helper modules are named after the format they serve (`android_*`, `v2_*`, `desktop_*`).
"""
