"""orderly_dependencies(): the repositories orderly needs, for any WORKSPACE.

In your WORKSPACE (orderly at third_party/orderly, or an http_archive):

    local_repository(name = "orderly", path = "third_party/orderly")
    load("@orderly//:deps.bzl", "orderly_dependencies")
    orderly_dependencies()

orderly's own WORKSPACE calls it too, with with_test_deps = True. Every
repository it declares is skipped when your WORKSPACE declared one of that
name before the call, so your own Abseil (say) wins; declare it before the
load. What it declares:
  - com_google_absl: from orderly's third_party/abseil, which orderly's
    tools/setup.sh fetches (Debian's source package);
  - rules_cc, rules_java, remote_coverage_tools: orderly's stand-ins
    (tools/bazel/) for what Bazel 4.2.3's own tools would download;
  - bazel_skylib, platforms: Debian's bazel-skylib and bazel-platforms
    (Abseil's BUILD files load them);
  - with with_test_deps = True, com_google_googletest and
    com_github_google_benchmark, which only orderly's tests and benchmarks use.
"""

def _orderly_subdir_impl(ctx):
    # The folder of this repository's WORKSPACE, whatever the user named it.
    here = ctx.path(Label("//:WORKSPACE")).dirname
    src = here
    for part in ctx.attr.subdir.split("/"):
        src = src.get_child(part)
    if not src.exists:
        fail(("orderly: %s is missing; run orderly's tools/setup.sh " +
              "(it fetches third_party/)") % src)
    for child in src.readdir():
        ctx.symlink(child, child.basename)

# A local_repository whose path is a folder inside orderly, wherever orderly is.
_orderly_subdir = repository_rule(
    implementation = _orderly_subdir_impl,
    attrs = {"subdir": attr.string(mandatory = True)},
    local = True,
)

def _maybe(rule, name, **kwargs):
    if not native.existing_rule(name):
        rule(name = name, **kwargs)

def orderly_dependencies(with_test_deps = False):
    """Declares the repositories orderly needs that are not declared yet.

    Args:
      with_test_deps: also GoogleTest and Google Benchmark (orderly's own
        tests and benchmarks); a service that only links orderly needs neither.
    """
    _maybe(_orderly_subdir, "rules_cc", subdir = "tools/bazel/rules_cc")
    _maybe(_orderly_subdir, "rules_java", subdir = "tools/bazel/rules_java")
    _maybe(
        _orderly_subdir,
        "remote_coverage_tools",
        subdir = "tools/bazel/remote_coverage_tools",
    )
    _maybe(
        native.local_repository,
        "bazel_skylib",
        path = "/usr/share/bazel/tools/skylib",
    )
    _maybe(
        native.local_repository,
        "platforms",
        path = "/usr/share/bazel/tools/platforms",
    )
    _maybe(_orderly_subdir, "com_google_absl", subdir = "third_party/abseil")
    if with_test_deps:
        _maybe(
            _orderly_subdir,
            "com_google_googletest",
            subdir = "third_party/googletest",
        )
        _maybe(
            _orderly_subdir,
            "com_github_google_benchmark",
            subdir = "third_party/benchmark",
        )
