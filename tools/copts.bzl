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

# Tests may use a few constructs the warnings above frown upon (gtest macros).
ORDERLY_TEST_COPTS = ORDERLY_COPTS
