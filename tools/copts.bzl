"""Compiler flags for orderly's own code (never for its dependencies)."""

# Warnings are errors in project code. Under clang, -Wthread-safety checks every
# ABSL_GUARDED_BY / ABSL_EXCLUSIVE_LOCKS_REQUIRED annotation at compile time.
ORDERLY_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
] + select({
    "//tools:clang": [
        "-Wthread-safety",
        "-Wthread-safety-beta",
        "-Wshadow-field",
        "-Wno-missing-field-initializers",
    ],
    "//conditions:default": [
        "-Wno-missing-field-initializers",
    ],
})

# Tests build with the same flags: gtest's macros need no exception, and a
# second name for the same list only suggested a difference that was not
# there.
